-- Series continue across runtime releases and build kinds (issue #15): one series per machine, case and
-- mode kind (gil, nogil, …) instead of one per mode id (cpython-3.13.5t/nogil). Series that differed only in
-- their runtime are merged into the oldest of them: results, changes and notes move to it, its counts are
-- recomputed, and (once the others are gone, so the old unique index on mode_name holds) its mode_name
-- becomes the mode id of its newest point.
DELETE FROM regressions WHERE EXISTS (
  SELECT 1 FROM series s JOIN series t ON t.machine_id = s.machine_id AND t.case_id = s.case_id AND t.mode = s.mode AND t.id < s.id
  JOIN regressions k ON k.series_id = t.id AND k.run_pk = regressions.run_pk
  WHERE s.id = regressions.series_id);
--> statement-breakpoint
UPDATE results SET series_id = (
  SELECT min(t.id) FROM series s JOIN series t ON t.machine_id = s.machine_id AND t.case_id = s.case_id AND t.mode = s.mode
  WHERE s.id = results.series_id)
WHERE series_id IN (
  SELECT s.id FROM series s JOIN series t ON t.machine_id = s.machine_id AND t.case_id = s.case_id AND t.mode = s.mode AND t.id < s.id);
--> statement-breakpoint
UPDATE regressions SET series_id = (
  SELECT min(t.id) FROM series s JOIN series t ON t.machine_id = s.machine_id AND t.case_id = s.case_id AND t.mode = s.mode
  WHERE s.id = regressions.series_id)
WHERE series_id IN (
  SELECT s.id FROM series s JOIN series t ON t.machine_id = s.machine_id AND t.case_id = s.case_id AND t.mode = s.mode AND t.id < s.id);
--> statement-breakpoint
UPDATE annotations SET series_id = (
  SELECT min(t.id) FROM series s JOIN series t ON t.machine_id = s.machine_id AND t.case_id = s.case_id AND t.mode = s.mode
  WHERE s.id = annotations.series_id)
WHERE series_id IN (
  SELECT s.id FROM series s JOIN series t ON t.machine_id = s.machine_id AND t.case_id = s.case_id AND t.mode = s.mode AND t.id < s.id);
--> statement-breakpoint
UPDATE series SET
  point_count = (SELECT count(*) FROM results WHERE results.series_id = series.id),
  last_started_at = (SELECT max(started_at) FROM results WHERE results.series_id = series.id),
  baseline_from = (SELECT max(t.baseline_from) FROM series t
    WHERE t.machine_id = series.machine_id AND t.case_id = series.case_id AND t.mode = series.mode),
  version = (SELECT max(t.version) FROM series t
    WHERE t.machine_id = series.machine_id AND t.case_id = series.case_id AND t.mode = series.mode) + 1
WHERE EXISTS (SELECT 1 FROM series t
  WHERE t.machine_id = series.machine_id AND t.case_id = series.case_id AND t.mode = series.mode AND t.id <> series.id);
--> statement-breakpoint
DELETE FROM series WHERE EXISTS (SELECT 1 FROM series t
  WHERE t.machine_id = series.machine_id AND t.case_id = series.case_id AND t.mode = series.mode AND t.id < series.id);
--> statement-breakpoint
UPDATE series SET mode_name = (SELECT mo.name FROM results r JOIN modes mo ON mo.id = r.mode_id
    WHERE r.series_id = series.id ORDER BY r.started_at DESC, r.id DESC LIMIT 1)
WHERE EXISTS (SELECT 1 FROM results r JOIN modes mo ON mo.id = r.mode_id
    WHERE r.series_id = series.id AND mo.name <> series.mode_name);
