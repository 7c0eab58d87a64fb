/**
 * Runs and results in SQLite. The hot path (ingest) uses prepared statements
 * on the connection: it runs thousands of rows per upload, and the query
 * builder's per-call cost would dominate there.
 *
 * @example const outcome = await store.runs.insert(doc, { uploadedBy: null, now, points, addLabels: [] });
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
import type { SqliteDb } from './db.ts';
import type { SqliteMachines } from './machines.ts';
import {
  canonicalJson,
  decodeSamples,
  encodeSamples,
  parseJson,
  RESULT_COLUMNS,
  RESULT_JOINS,
  type ResultDbRow,
  resultRow,
} from './rows.ts';

export class SqliteRuns implements RunStore {
  constructor(
    readonly db: SqliteDb,
    readonly machines: () => SqliteMachines,
  ) {}

  async insert(doc: RunDocument, input: RunInsertInput): Promise<RunInsertOutcome> {
    return this.db.write((): RunInsertOutcome => {
      const existing = this.db
        .sql('SELECT r.pk, m.fingerprint FROM runs r JOIN machines m ON m.id = r.machine_id WHERE r.id = ?')
        .get(doc.id) as { pk: number; fingerprint: string } | undefined;
      if (existing) return { created: false, runPk: existing.pk, fingerprint: existing.fingerprint };
      return this.#insertRun(doc, input);
    });
  }

  #insertRun(doc: RunDocument, input: RunInsertInput): RunInsertOutcome & { created: true } {
    const machineId = this.machines().upsertNow(doc.machine, input.addLabels, input.now);
    const startedAt = Date.parse(doc.startedAt);
    const { pk: runPk } = this.db
      .sql(
        `INSERT INTO runs (id, machine_id, job_id, started_at, finished_at, started_at_text, finished_at_text, profile,
         gilbench_version, machine, suites, warnings, result_count, received_at, uploaded_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk`,
      )
      .get(
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
      ) as { pk: number };

    const modeIds = new Map<string, { id: number; mode: string }>();
    for (const [position, mode] of doc.modes.entries()) {
      const id = this.db.idOf(`mode\u0000${machineId}\u0000${canonicalJson(mode)}`, () =>
        this.#upsertMode(machineId, mode),
      );
      modeIds.set(mode.id, { id, mode: mode.mode });
      this.db.sql('INSERT INTO run_modes (run_pk, position, mode_id) VALUES (?, ?, ?)').run(runPk, position, id);
    }

    const benchmarkIds = new Map<string, number>();
    const descriptions = new Map<string, string>();
    for (const suite of doc.suites) {
      descriptions.set(suite.name, suite.description);
      for (const b of suite.benchmarks) descriptions.set(`${suite.name}/${b.name}`, b.description);
    }
    const benchmarkId = (suite: string, benchmark: string): number => {
      const key = `${suite}/${benchmark}`;
      let id = benchmarkIds.get(key);
      // Descriptions are refreshed once per upload and benchmark; the ids come from the cache after that.
      if (id === undefined) {
        const { id: suiteId } = this.db
          .sql(
            `INSERT INTO suites (name, description) VALUES (?, ?)
           ON CONFLICT (name) DO UPDATE SET description = coalesce(?, description) RETURNING id`,
          )
          .get(suite, descriptions.get(suite) ?? '', descriptions.get(suite) ?? null) as { id: number };
        ({ id } = this.db
          .sql(
            `INSERT INTO benchmarks (suite_id, name, description) VALUES (?, ?, ?)
           ON CONFLICT (suite_id, name) DO UPDATE SET description = coalesce(?, description) RETURNING id`,
          )
          .get(suiteId, benchmark, descriptions.get(key) ?? '', descriptions.get(key) ?? null) as { id: number });
        benchmarkIds.set(key, id);
      }
      return id;
    };

    const insertCase = this.db.sql(
      `INSERT INTO cases (benchmark_id, key, params) VALUES (?, ?, ?)
       ON CONFLICT (benchmark_id, key) DO UPDATE SET key = excluded.key RETURNING id`,
    );
    const insertSeries = this.db.sql(
      `INSERT INTO series (machine_id, case_id, mode_name, mode, last_started_at, point_count, version)
       VALUES (?, ?, ?, ?, ?, 1, 1)
       ON CONFLICT (machine_id, case_id, mode) DO UPDATE SET point_count = point_count + 1,
         mode_name = CASE WHEN excluded.last_started_at >= coalesce(last_started_at, 0) THEN excluded.mode_name
           ELSE mode_name END,
         last_started_at = max(coalesce(last_started_at, 0), excluded.last_started_at), version = version + 1
       RETURNING id, version`,
    );
    const insertResult = this.db.sql(
      `INSERT INTO results (run_pk, position, series_id, case_id, mode_id, started_at, status, unit, loop_cost_ns, loops,
         ops_per_loop, processes, n, mean, median, min, max, sd, ci_low, ci_high, margin, peak_rss_bytes, checksum,
         gil_after_load, gil_after_run, load_before, load_after, wall_ms, warnings, error, level_ns, level_rse, samples)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const seriesIds: number[] = [];
    const appended: AppendedPoint[] = [];
    for (const [position, r] of doc.results.entries()) {
      const key = caseKey(r.params);
      const bench = benchmarkId(r.suite, r.benchmark);
      const caseRowId = this.db.idOf(
        `case\u0000${bench}\u0000${key}`,
        () => (insertCase.get(bench, key, JSON.stringify(r.params)) as { id: number }).id,
      );
      const mode = modeIds.get(r.mode)!;
      const { id: seriesId, version } = insertSeries.get(machineId, caseRowId, r.mode, mode.mode, startedAt) as {
        id: number;
        version: number;
      };
      const point = input.points[position] ?? null;
      const s = r.stats;
      insertResult.run(
        runPk,
        position,
        seriesId,
        caseRowId,
        mode.id,
        startedAt,
        r.status,
        r.unit,
        r.loopCostNs,
        r.loops,
        r.opsPerLoop,
        r.processes,
        s?.n ?? null,
        s?.mean ?? null,
        s?.median ?? null,
        s?.min ?? null,
        s?.max ?? null,
        s?.sd ?? null,
        s?.ciLow ?? null,
        s?.ciHigh ?? null,
        s?.margin ?? null,
        r.peakRssBytes,
        r.checksum,
        r.gil.afterLoad === null ? null : Number(r.gil.afterLoad),
        r.gil.afterRun === null ? null : Number(r.gil.afterRun),
        r.load.before,
        r.load.after,
        r.wallMs,
        JSON.stringify(r.warnings),
        r.error === null ? null : JSON.stringify(r.error),
        point?.level ?? null,
        point?.rse ?? null,
        encodeSamples(r.samples),
      );
      seriesIds.push(seriesId);
      appended.push({ seriesId, version, startedAt, runPk, point });
    }
    return { created: true, runPk, machineId, seriesIds: [...new Set(seriesIds)], appended };
  }

  #upsertMode(machineId: number, mode: Mode): number {
    const rt = mode.runtime;
    const { id: runtimeId } = this.db
      .sql(
        `INSERT INTO runtimes (machine_id, key, name, implementation, version, free_threaded, gil_enabled_by_default,
         configure_args, compiler, revision, executable, sha256)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (machine_id, key) DO UPDATE SET key = excluded.key RETURNING id`,
      )
      .get(
        machineId,
        canonicalJson(rt),
        rt.id,
        rt.implementation,
        rt.version,
        Number(rt.freeThreaded),
        Number(rt.gilEnabledByDefault),
        rt.configureArgs,
        rt.compiler,
        rt.revision,
        rt.executable,
        rt.sha256,
      ) as { id: number };
    const { id } = this.db
      .sql(
        `INSERT INTO modes (runtime_id, key, name, mode, env) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (runtime_id, key) DO UPDATE SET key = excluded.key RETURNING id`,
      )
      .get(
        runtimeId,
        canonicalJson({ id: mode.id, mode: mode.mode, env: mode.env }),
        mode.id,
        mode.mode,
        JSON.stringify(mode.env),
      ) as { id: number };
    return id;
  }

  /** Run summaries for these run ids, in the order given. */
  async infos(ids: readonly string[]): Promise<RunInfo[]> {
    if (ids.length === 0) return [];
    const rows = this.db
      .sql(
        `SELECT r.pk, r.id, r.machine_id, m.hostname, r.started_at, r.finished_at, r.profile, r.gilbench_version, r.job_id,
         r.result_count, r.warnings, r.received_at,
         (SELECT count(*) FROM results x WHERE x.run_pk = r.pk AND x.warnings <> '[]') AS warned_results,
         (SELECT count(*) FROM results x WHERE x.run_pk = r.pk AND x.warnings LIKE '%"code":"unstable"%') AS unstable_results
       FROM runs r JOIN machines m ON m.id = r.machine_id
       WHERE r.id IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(ids)) as Array<Record<string, unknown>>;
    const modes = this.#modesOf(rows.map((r) => r.pk as number));
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    return ids
      .map((id) => byId.get(id))
      .filter((r) => r !== undefined)
      .map((r) => ({
        id: r.id as string,
        machineId: r.machine_id as number,
        hostname: r.hostname as string,
        startedAt: r.started_at as number,
        finishedAt: r.finished_at as number,
        profile: r.profile as string,
        gilbenchVersion: r.gilbench_version as string,
        jobId: r.job_id as string | null,
        modes: modes.get(r.pk as number) ?? [],
        resultCount: r.result_count as number,
        warnedResults: r.warned_results as number,
        unstableResults: r.unstable_results as number,
        warnings: parseJson(r.warnings as string),
        receivedAt: r.received_at as number,
      }));
  }

  /** The modes (as in the run document) of each run. */
  #modesOf(runPks: readonly number[]): Map<number, Mode[]> {
    const rows = this.db
      .sql(
        `SELECT rm.run_pk, mo.name, mo.mode, mo.env, rt.key AS runtime_key, rt.name AS runtime_name, rt.implementation, rt.version,
         rt.free_threaded, rt.gil_enabled_by_default, rt.configure_args, rt.compiler, rt.revision, rt.executable, rt.sha256
       FROM run_modes rm JOIN modes mo ON mo.id = rm.mode_id JOIN runtimes rt ON rt.id = mo.runtime_id
       WHERE rm.run_pk IN (SELECT value FROM json_each(?)) ORDER BY rm.run_pk, rm.position`,
      )
      .all(JSON.stringify(runPks)) as Array<Record<string, unknown>>;
    const out = new Map<number, Mode[]>();
    for (const r of rows) {
      const list = out.get(r.run_pk as number) ?? [];
      list.push({
        id: r.name as string,
        mode: r.mode as Mode['mode'],
        env: parseJson(r.env as string),
        runtime: {
          // The key is the runtime as it was sent: fields without a column of their own (buildKind) come from it.
          ...JSON.parse(r.runtime_key as string),
          id: r.runtime_name as string,
          implementation: r.implementation as string,
          version: r.version as string,
          freeThreaded: r.free_threaded === 1,
          gilEnabledByDefault: r.gil_enabled_by_default === 1,
          configureArgs: r.configure_args as string,
          compiler: r.compiler as string,
          revision: r.revision as string | null,
          executable: r.executable as string,
          sha256: r.sha256 as string,
        },
      });
      out.set(r.run_pk as number, list);
    }
    return out;
  }

  async find(id: string): Promise<RunRef | null> {
    const row = this.db.sql('SELECT pk, id, machine_id, started_at FROM runs WHERE id = ?').get(id) as
      | { pk: number; id: string; machine_id: number; started_at: number }
      | undefined;
    return row ? { pk: row.pk, id: row.id, machineId: row.machine_id, startedAt: row.started_at } : null;
  }

  async idsOf(pks: readonly number[]): Promise<Array<string | null>> {
    if (pks.length === 0) return [];
    const rows = this.db
      .sql('SELECT pk, id FROM runs WHERE pk IN (SELECT value FROM json_each(?))')
      .raw()
      .all(JSON.stringify(pks)) as Array<[number, string]>;
    const byPk = new Map(rows);
    return pks.map((pk) => byPk.get(pk) ?? null);
  }

  async get(id: string, opts: { samples?: boolean } = {}): Promise<RunDetail | null> {
    const head = this.db.sql('SELECT pk, machine, suites FROM runs WHERE id = ?').get(id) as
      | { pk: number; machine: string; suites: string }
      | undefined;
    if (!head) return null;
    const info = (await this.infos([id]))[0]!;
    const rows = this.db
      .sql(
        `SELECT ${RESULT_COLUMNS}${opts.samples ? ', r.samples' : ''} FROM results r ${RESULT_JOINS}
       WHERE r.run_pk = ? ORDER BY r.position`,
      )
      .all(head.pk) as Array<ResultDbRow & { samples?: Buffer }>;
    return {
      ...info,
      machine: parseJson(head.machine),
      suites: parseJson(head.suites),
      results: rows.map((row) => resultRow(row, opts.samples ? decodeSamples(row.samples!) : undefined)),
    };
  }

  async document(id: string): Promise<RunDocument | null> {
    const head = this.db
      .sql(
        `SELECT pk, id, job_id, started_at_text, finished_at_text, profile, gilbench_version, machine, suites, warnings
       FROM runs WHERE id = ?`,
      )
      .get(id) as Record<string, unknown> | undefined;
    if (!head) return null;
    const detail = (await this.get(id, { samples: true }))!;
    return {
      schema: 'gilbench.run/v1',
      id: head.id as string,
      startedAt: head.started_at_text as string,
      finishedAt: head.finished_at_text as string,
      profile: head.profile as string,
      gilbenchVersion: head.gilbench_version as string,
      machine: parseJson(head.machine as string),
      jobId: head.job_id as string | null,
      modes: detail.modes,
      suites: parseJson(head.suites as string),
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
      warnings: parseJson(head.warnings as string),
    };
  }

  async list(filter: RunFilter): Promise<RunInfo[]> {
    const rows = this.db
      .sql(
        `SELECT id FROM runs WHERE (@machine IS NULL OR machine_id = @machine) AND (@before IS NULL OR started_at < @before)
       ORDER BY started_at DESC, pk DESC LIMIT @limit`,
      )
      .all({ machine: filter.machine ?? null, before: filter.before ?? null, limit: filter.limit ?? 100 }) as Array<{
      id: string;
    }>;
    return this.infos(rows.map((r) => r.id));
  }

  async delete(id: string): Promise<boolean> {
    return this.db.write(() => {
      const run = this.db.sql('SELECT pk FROM runs WHERE id = ?').get(id) as { pk: number } | undefined;
      if (!run) return false;
      const touched = this.db.sql('SELECT DISTINCT series_id FROM results WHERE run_pk = ?').all(run.pk) as Array<{
        series_id: number;
      }>;
      // An answer about several runs goes with the first of them deleted (its links alone would cascade).
      this.db.sql('DELETE FROM answers WHERE key IN (SELECT answer_key FROM answer_runs WHERE run_pk = ?)').run(run.pk);
      this.db.sql('DELETE FROM runs WHERE pk = ?').run(run.pk);
      const recount = this.db.sql(
        // The series is named by its newest point's mode again: deleting the newest run of a
        // new release gives the series back its old runtime's name.
        `UPDATE series SET point_count = (SELECT count(*) FROM results WHERE series_id = series.id),
           last_started_at = (SELECT max(started_at) FROM results WHERE series_id = series.id), version = version + 1,
           mode_name = coalesce((SELECT mo.name FROM results r JOIN modes mo ON mo.id = r.mode_id WHERE r.series_id = series.id
             ORDER BY r.started_at DESC, r.run_pk DESC, r.position DESC LIMIT 1), mode_name)
         WHERE id = ?`,
      );
      for (const t of touched) recount.run(t.series_id);
      return true;
    });
  }
}
