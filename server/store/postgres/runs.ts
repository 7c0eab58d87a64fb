/**
 * Runs and results in PostgreSQL (see core/runs.ts). A run goes in as one
 * transaction of about ten statements whatever its size: suites, benchmarks,
 * cases, series and results are each written by one statement over arrays
 * (`unnest`), since a round trip per result would bound ingest at a few
 * thousand results a second. Idempotency rests on the unique run id: of two
 * inserts of one id at once, the second waits for the first and then finds it.
 *
 * @example const outcome = await new PgRuns(db).insert(doc, { uploadedBy: null, now, points, addLabels: [] });
 */
import { caseKey, type Mode, type RunDocument } from '../../../harness/schema.ts';
import type { RunStore } from '../core/runs.ts';
import type {
  AppendedPoint,
  RunDetail,
  RunFilter,
  RunInfo,
  RunInsertInput,
  RunInsertOutcome,
  RunRef,
} from '../core/types.ts';
import type { Db, Tx } from './db.ts';
import { upsertMachine } from './machines.ts';
import {
  canonicalJson,
  decodeSamples,
  encodeSamples,
  RESULT_JOINS,
  RESULT_SELECT,
  resultRow,
  runInfos,
} from './rows.ts';

export class PgRuns implements RunStore {
  /**
   * Ids of rows that are only ever added and never change (runtimes' modes, cases), by
   * natural key; learned only from committed transactions, so a rollback leaves no id of a
   * row that does not exist.
   */
  readonly #ids = new Map<string, number>();

  constructor(readonly db: Db) {}

  async insert(doc: RunDocument, input: RunInsertInput): Promise<RunInsertOutcome> {
    return this.db
      .tx(async (t) => {
        const machineId = await upsertMachine(t, doc.machine, input.addLabels, input.now);
        const startedAt = Date.parse(doc.startedAt);
        const run = await t.one<{ pk: number }>(
          `INSERT INTO runs (id, machine_id, job_id, started_at, finished_at, started_at_text, finished_at_text, profile,
             gilbench_version, machine, suites, warnings, result_count, received_at, uploaded_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           ON CONFLICT (id) DO NOTHING RETURNING pk`,
          [
            doc.id,
            machineId,
            doc.jobId,
            startedAt,
            Date.parse(doc.finishedAt),
            doc.startedAt,
            doc.finishedAt,
            doc.profile,
            doc.gilbenchVersion,
            JSON.stringify(doc.machine),
            JSON.stringify(doc.suites),
            JSON.stringify(doc.warnings),
            doc.results.length,
            input.now,
            input.uploadedBy,
          ],
        );
        // Stored already (by an earlier upload, or by a connection whose commit our insert
        // waited for): roll back the machine refresh too, and answer as for a stored run.
        if (!run) throw new StoredAlready();
        const runPk = run.pk;
        const modeIds = await this.#modes(t, machineId, doc.modes);
        const benchmarkIds = await this.#benchmarks(t, doc);
        const caseIds = await this.#cases(t, doc, benchmarkIds);

        // One point per result; results of one case and mode in one run add as many points. A series is
        // one case and mode kind (across runtimes): its mode_name becomes the id of the newest point's mode.
        const perSeries = new Map<string, { caseId: number; mode: string; kind: string; count: number }>();
        const kindOf = (r: RunDocument['results'][number]) => modeIds.get(r.mode)!.mode;
        for (const [i, r] of doc.results.entries()) {
          const key = `${caseIds[i]}\u0000${kindOf(r)}`;
          const entry = perSeries.get(key);
          if (entry) entry.count++;
          else perSeries.set(key, { caseId: caseIds[i]!, mode: r.mode, kind: modeIds.get(r.mode)!.mode, count: 1 });
        }
        // Series in key order, so two uploads at once lock them in one order.
        const groups = [...perSeries.values()].sort((a, b) => a.caseId - b.caseId || (a.kind < b.kind ? -1 : 1));

        const n = doc.results.length;
        const col = <T>(f: (r: RunDocument['results'][number], i: number) => T): T[] => doc.results.map(f);
        const stat = (k: 'n' | 'mean' | 'median' | 'min' | 'max' | 'sd' | 'ciLow' | 'ciHigh' | 'margin') =>
          col((r) => r.stats?.[k] ?? null);
        // Series, run modes and results in one statement: a round trip per step is what bounds ingest.
        const seriesRows = await t.rows<{ id: number; version: number; case_id: number; mode: string }>(
          `WITH se AS (
             INSERT INTO series (machine_id, case_id, mode_name, mode, last_started_at, point_count, version)
             SELECT $1, c, m, k, $2, n, n FROM unnest($4::int[], $5::text[], $6::text[], $7::int[]) u(c, m, k, n)
             ON CONFLICT (machine_id, case_id, mode) DO UPDATE SET point_count = series.point_count + excluded.point_count,
               mode_name = CASE WHEN excluded.last_started_at >= coalesce(series.last_started_at, 0)
                 THEN excluded.mode_name ELSE series.mode_name END,
               last_started_at = greatest(coalesce(series.last_started_at, 0), excluded.last_started_at),
               version = series.version + excluded.point_count
             RETURNING id, version, case_id, mode),
           rm AS (
             INSERT INTO run_modes (run_pk, position, mode_id) SELECT $3, p - 1, m FROM unnest($8::int[]) WITH ORDINALITY u(m, p)),
           re AS (
             INSERT INTO results (run_pk, position, series_id, case_id, mode_id, started_at, status, unit, loop_cost_ns,
               loops, ops_per_loop, processes, n, mean, median, min, max, sd, ci_low, ci_high, margin, peak_rss_bytes,
               checksum, gil_after_load, gil_after_run, load_before, load_after, wall_ms, warnings, error, level_ns,
               level_rse, samples)
             SELECT $3, u.p - 1, se.id, u.case_id, u.mode_id, $2, u.status, u.unit, u.loop_cost_ns, u.loops,
               u.ops_per_loop, u.processes, u.n, u.mean, u.median, u.min, u.max, u.sd, u.ci_low, u.ci_high, u.margin,
               u.peak_rss_bytes, u.checksum, u.gil_after_load, u.gil_after_run, u.load_before, u.load_after, u.wall_ms,
               u.warnings::json, u.error::json, u.level_ns, u.level_rse, u.samples
             FROM unnest($9::int[], $10::text[], $11::int[], $12::text[], $13::text[], $14::float8[], $15::bigint[],
               $16::int[], $17::int[], $18::int[], $19::float8[], $20::float8[], $21::float8[], $22::float8[],
               $23::float8[], $24::float8[], $25::float8[], $26::float8[], $27::float8[], $28::text[], $29::bool[],
               $30::bool[], $31::float8[], $32::float8[], $33::float8[], $34::text[], $35::text[], $36::float8[],
               $37::float8[], $38::bytea[]) WITH ORDINALITY AS u(case_id, mode_name, mode_id, status, unit,
               loop_cost_ns, loops, ops_per_loop, processes, n, mean, median, min, max, sd, ci_low, ci_high, margin,
               peak_rss_bytes, checksum, gil_after_load, gil_after_run, load_before, load_after, wall_ms, warnings,
               error, level_ns, level_rse, samples, p)
             JOIN se ON se.case_id = u.case_id AND se.mode = u.mode_name)
           SELECT id, version, case_id, mode FROM se`,
          [
            machineId,
            startedAt,
            runPk,
            groups.map((g) => g.caseId),
            groups.map((g) => g.mode),
            groups.map((g) => g.kind),
            groups.map((g) => g.count),
            doc.modes.map((m) => modeIds.get(m.id)!.id),
            caseIds,
            col(kindOf),
            col((r) => modeIds.get(r.mode)!.id),
            col((r) => r.status),
            col((r) => r.unit),
            col((r) => r.loopCostNs),
            col((r) => r.loops),
            col((r) => r.opsPerLoop),
            col((r) => r.processes),
            stat('n'),
            stat('mean'),
            stat('median'),
            stat('min'),
            stat('max'),
            stat('sd'),
            stat('ciLow'),
            stat('ciHigh'),
            stat('margin'),
            col((r) => r.peakRssBytes),
            col((r) => r.checksum),
            col((r) => r.gil.afterLoad),
            col((r) => r.gil.afterRun),
            col((r) => r.load.before),
            col((r) => r.load.after),
            col((r) => r.wallMs),
            col((r) => JSON.stringify(r.warnings)),
            col((r) => (r.error === null ? null : JSON.stringify(r.error))),
            col((_, i) => input.points[i]?.level ?? null),
            col((_, i) => input.points[i]?.rse ?? null),
            col((r) => encodeSamples(r.samples)),
          ],
        );
        // Each result's point gets the series' version after it (the versions a series went
        // through in this run are its last `count` ones).
        const next = new Map<string, { id: number; version: number }>();
        for (const s of seriesRows) {
          const count = perSeries.get(`${s.case_id}\u0000${s.mode}`)!.count;
          next.set(`${s.case_id}\u0000${s.mode}`, { id: s.id, version: s.version - count + 1 });
        }
        const appended: AppendedPoint[] = new Array(n);
        for (const [i, r] of doc.results.entries()) {
          const series = next.get(`${caseIds[i]}\u0000${kindOf(r)}`)!;
          appended[i] = {
            seriesId: series.id,
            version: series.version++,
            startedAt,
            runPk,
            point: input.points[i] ?? null,
          };
        }
        const seriesIds = [...new Set(appended.map((a) => a.seriesId))];
        return { created: true as const, runPk, machineId, seriesIds, appended };
      })
      .catch(async (err) => {
        if (err instanceof StoredAlready) {
          const existing = await this.#existing(doc.id);
          if (existing) return existing;
        }
        throw err;
      });
  }

  /** Runtime and mode ids of the document's modes, by mode id (from memory once known). */
  async #modes(t: Tx, machineId: number, modes: readonly Mode[]): Promise<Map<string, { id: number; mode: string }>> {
    const out = new Map<string, { id: number; mode: string }>();
    for (const mode of modes) {
      const key = `mode\u0000${machineId}\u0000${canonicalJson(mode)}`;
      let id = this.#ids.get(key);
      if (id === undefined) {
        const rt = mode.runtime;
        const runtimeKey = canonicalJson(rt);
        const runtime = await insertOrFind(
          t,
          `INSERT INTO runtimes (machine_id, key, name, implementation, version, free_threaded, gil_enabled_by_default,
             configure_args, compiler, revision, executable, sha256)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (machine_id, key) DO NOTHING RETURNING id`,
          [
            machineId,
            runtimeKey,
            rt.id,
            rt.implementation,
            rt.version,
            rt.freeThreaded,
            rt.gilEnabledByDefault,
            rt.configureArgs,
            rt.compiler,
            rt.revision,
            rt.executable,
            rt.sha256,
          ],
          'SELECT id FROM runtimes WHERE machine_id = $1 AND key = $2',
          [machineId, runtimeKey],
        );
        const modeKey = canonicalJson({ id: mode.id, mode: mode.mode, env: mode.env });
        id = await insertOrFind(
          t,
          `INSERT INTO modes (runtime_id, key, name, mode, env) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (runtime_id, key) DO NOTHING RETURNING id`,
          [runtime, modeKey, mode.id, mode.mode, JSON.stringify(mode.env)],
          'SELECT id FROM modes WHERE runtime_id = $1 AND key = $2',
          [runtime, modeKey],
        );
        const known = id;
        t.afterCommit(() => this.#ids.set(key, known));
      }
      out.set(mode.id, { id, mode: mode.mode });
    }
    return out;
  }

  /**
   * Suites and benchmarks of the document, their descriptions refreshed (those the document
   * describes); ids by `suite/benchmark`. Written in name order, so two uploads at once
   * take their row locks in one order.
   */
  async #benchmarks(t: Tx, doc: RunDocument): Promise<Map<string, number>> {
    const described = new Map<string, string>();
    for (const suite of doc.suites) {
      described.set(suite.name, suite.description);
      for (const b of suite.benchmarks) described.set(`${suite.name}/${b.name}`, b.description);
    }
    const suiteNames = [...new Set(doc.results.map((r) => r.suite))].sort();
    const pairs = [...new Map(doc.results.map((r) => [`${r.suite}/${r.benchmark}`, r])).entries()].sort(([x], [y]) =>
      x < y ? -1 : x > y ? 1 : 0,
    );
    // Both in one statement: every suite comes back from the first insert (DO UPDATE returns
    // the row), so the benchmarks find their suite's id in it.
    const rows = await t.rows<{ id: number; suite: string; name: string }>(
      `WITH s AS (
         INSERT INTO suites (name, description) SELECT n, coalesce(d, '') FROM unnest($1::text[], $2::text[]) u(n, d)
         ON CONFLICT (name) DO UPDATE SET description = coalesce(
           (SELECT d FROM unnest($1::text[], $2::text[]) v(n, d) WHERE v.n = excluded.name), suites.description)
         RETURNING id, name),
       b AS (
         INSERT INTO benchmarks (suite_id, name, description)
         SELECT s.id, u.n, coalesce(u.d, '') FROM unnest($3::text[], $4::text[], $5::text[]) u(sn, n, d) JOIN s ON s.name = u.sn
         ON CONFLICT (suite_id, name) DO UPDATE SET description = coalesce(
           (SELECT v.d FROM unnest($3::text[], $4::text[], $5::text[]) v(sn, n, d) JOIN s ON s.name = v.sn
            WHERE s.id = excluded.suite_id AND v.n = excluded.name), benchmarks.description)
         RETURNING id, suite_id, name)
       SELECT b.id, s.name AS suite, b.name FROM b JOIN s ON s.id = b.suite_id`,
      [
        suiteNames,
        suiteNames.map((n) => described.get(n) ?? null),
        pairs.map(([, r]) => r.suite),
        pairs.map(([, r]) => r.benchmark),
        pairs.map(([key]) => described.get(key) ?? null),
      ],
    );
    return new Map(rows.map((r) => [`${r.suite}/${r.name}`, r.id]));
  }

  /** The case id of each result (in document order), adding the cases not stored yet. */
  async #cases(t: Tx, doc: RunDocument, benchmarkIds: Map<string, number>): Promise<number[]> {
    const keys = doc.results.map((r) => {
      const bench = benchmarkIds.get(`${r.suite}/${r.benchmark}`)!;
      return { bench, key: caseKey(r.params), params: r.params, cache: '' };
    });
    const missing = new Map<string, (typeof keys)[number]>();
    for (const k of keys) {
      k.cache = `case\u0000${k.bench}\u0000${k.key}`;
      if (!this.#ids.has(k.cache)) missing.set(k.cache, k);
    }
    const found = new Map<string, number>();
    if (missing.size) {
      const list = [...missing.values()].sort((a, b) => a.bench - b.bench || (a.key < b.key ? -1 : 1));
      const bench = list.map((k) => k.bench);
      const key = list.map((k) => k.key);
      // Cases never change: DO NOTHING takes no row lock. One stored by a transaction that
      // committed during our insert is not in our statement's snapshot: the second read sees it.
      await t.run(
        `INSERT INTO cases (benchmark_id, key, params) SELECT b, k, p::json FROM unnest($1::int[], $2::text[], $3::text[]) u(b, k, p)
         ON CONFLICT (benchmark_id, key) DO NOTHING`,
        [bench, key, list.map((k) => JSON.stringify(k.params))],
      );
      const rows = await t.rows<{ id: number; benchmark_id: number; key: string }>(
        `SELECT c.id, c.benchmark_id, c.key FROM cases c JOIN unnest($1::int[], $2::text[]) u(b, k)
         ON c.benchmark_id = u.b AND c.key = u.k`,
        [bench, key],
      );
      for (const r of rows) found.set(`case\u0000${r.benchmark_id}\u0000${r.key}`, r.id);
      t.afterCommit(() => {
        for (const [k, id] of found) this.#ids.set(k, id);
      });
    }
    return keys.map((k) => this.#ids.get(k.cache) ?? found.get(k.cache)!);
  }

  async get(id: string, opts: { samples?: boolean } = {}): Promise<RunDetail | null> {
    const head = await this.db.one<{ pk: number; machine: RunDetail['machine']; suites: RunDetail['suites'] }>(
      'SELECT pk, machine, suites FROM runs WHERE id = $1',
      [id],
    );
    if (!head) return null;
    const [info] = await runInfos(this.db, [id]);
    if (!info) return null;
    const rows = await this.db.rows(
      `${RESULT_SELECT}${opts.samples ? ', r.samples' : ''} FROM results r ${RESULT_JOINS}
       WHERE r.run_pk = $1 ORDER BY r.position`,
      [head.pk],
    );
    return {
      ...info,
      machine: head.machine,
      suites: head.suites,
      results: rows.map((row) => resultRow(row, opts.samples ? decodeSamples(row.samples as Buffer) : undefined)),
    };
  }

  async document(id: string): Promise<RunDocument | null> {
    const head = await this.db.one(
      `SELECT id, job_id, started_at_text, finished_at_text, profile, gilbench_version, machine, suites, warnings
       FROM runs WHERE id = $1`,
      [id],
    );
    if (!head) return null;
    const detail = await this.get(id, { samples: true });
    if (!detail) return null;
    return {
      schema: 'gilbench.run/v1',
      id: head.id as string,
      startedAt: head.started_at_text as string,
      finishedAt: head.finished_at_text as string,
      profile: head.profile as string,
      gilbenchVersion: head.gilbench_version as string,
      machine: head.machine as RunDocument['machine'],
      jobId: head.job_id as string | null,
      modes: detail.modes,
      suites: head.suites as RunDocument['suites'],
      results: detail.results.map((r) => ({
        suite: r.suite,
        benchmark: r.benchmark,
        params: r.params,
        mode: r.mode,
        status: r.status,
        unit: r.unit,
        samples: r.samples!,
        loopCostNs: r.loopCostNs,
        loops: r.loops,
        opsPerLoop: r.opsPerLoop,
        processes: r.processes,
        stats: r.stats,
        peakRssBytes: r.peakRssBytes,
        checksum: r.checksum,
        gil: r.gil,
        load: r.load,
        wallMs: r.wallMs,
        warnings: r.warnings,
        error: r.error,
      })),
      warnings: head.warnings as RunDocument['warnings'],
    } as RunDocument;
  }

  infos(ids: readonly string[]): Promise<RunInfo[]> {
    return runInfos(this.db, ids);
  }

  async list(filter: RunFilter): Promise<RunInfo[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM runs WHERE ($1::int IS NULL OR machine_id = $1) AND ($2::bigint IS NULL OR started_at < $2)
       ORDER BY started_at DESC, pk DESC LIMIT $3`,
      [filter.machine ?? null, filter.before ?? null, filter.limit ?? 100],
    );
    return runInfos(
      this.db,
      rows.map((r) => r.id),
    );
  }

  async find(id: string): Promise<RunRef | null> {
    const row = await this.db.one<{ pk: number; id: string; machine_id: number; started_at: number }>(
      'SELECT pk, id, machine_id, started_at FROM runs WHERE id = $1',
      [id],
    );
    return row ? { pk: row.pk, id: row.id, machineId: row.machine_id, startedAt: row.started_at } : null;
  }

  async idsOf(pks: readonly number[]): Promise<Array<string | null>> {
    if (pks.length === 0) return [];
    const rows = await this.db.rows<{ pk: number; id: string }>('SELECT pk, id FROM runs WHERE pk = ANY($1::int[])', [
      pks,
    ]);
    const byPk = new Map(rows.map((r) => [r.pk, r.id]));
    return pks.map((pk) => byPk.get(pk) ?? null);
  }

  delete(id: string): Promise<boolean> {
    return this.db.tx(async (t) => {
      const run = await t.one<{ pk: number }>('SELECT pk FROM runs WHERE id = $1 FOR UPDATE', [id]);
      if (!run) return false;
      const touched = await t.rows<{ series_id: number }>(
        'SELECT DISTINCT series_id FROM results WHERE run_pk = $1 ORDER BY series_id',
        [run.pk],
      );
      // After the run's row lock: a put in another process either linked its answer before (seen
      // here) or meets a run that is gone (and keeps nothing). Its links alone would cascade.
      await t.run('DELETE FROM answers WHERE key IN (SELECT answer_key FROM answer_runs WHERE run_pk = $1)', [run.pk]);
      await t.run('DELETE FROM runs WHERE pk = $1', [run.pk]);
      await t.run(
        // As in SQLite: named by its newest point's mode again.
        `UPDATE series SET point_count = (SELECT count(*) FROM results WHERE series_id = series.id),
           last_started_at = (SELECT max(started_at) FROM results WHERE series_id = series.id), version = version + 1,
           mode_name = coalesce((SELECT mo.name FROM results r JOIN modes mo ON mo.id = r.mode_id WHERE r.series_id = series.id
             ORDER BY r.started_at DESC, r.run_pk DESC, r.position DESC LIMIT 1), mode_name)
         WHERE id = ANY($1::int[])`,
        [touched.map((s) => s.series_id)],
      );
      return true;
    });
  }

  async #existing(id: string): Promise<RunInsertOutcome | null> {
    const row = await this.db.one<{ pk: number; fingerprint: string }>(
      'SELECT r.pk, m.fingerprint FROM runs r JOIN machines m ON m.id = r.machine_id WHERE r.id = $1',
      [id],
    );
    return row ? { created: false, runPk: row.pk, fingerprint: row.fingerprint } : null;
  }
}

class StoredAlready extends Error {}

/** The id an `INSERT … ON CONFLICT DO NOTHING RETURNING id` made, or else the stored row's. */
async function insertOrFind(t: Tx, insert: string, values: unknown[], find: string, keys: unknown[]): Promise<number> {
  const made = await t.one<{ id: number }>(insert, values);
  if (made) return made.id;
  const found = await t.one<{ id: number }>(find, keys);
  if (!found) throw new Error(`row vanished: ${find}`);
  return found.id;
}
