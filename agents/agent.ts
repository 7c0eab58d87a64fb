/**
 * The agent: one per benchmark machine, unattended for months.
 *
 *   server mode    enroll once, upload the spool, then loop: heartbeat, claim
 *                  a job under a lease, run it, spool it, upload it.
 *   local mode     `--suite` with `--once` or `--schedule CRON`: runs made
 *                  here, spooled, uploaded when a server is given, exportable.
 *
 * Everything the agent says to the server happens between cases: a case is
 * measured with no request in flight and no timer polling. Progress events
 * are buffered and sent from the runner's `betweenCases` hook.
 *
 * @example
 * const code = await runAgent({ ...defaultAgentOptions(), server: 'http://127.0.0.1:8080', enrollToken, once: true, signal });
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { Cron } from 'croner';
import { UsageError } from '../harness/errors.ts';
import { writeFileAtomic } from '../harness/fs/atomic-write.ts';
import { runBenchmarks } from '../harness/run/runner.ts';
import { builtInSuites } from '../harness/run/suites.ts';
import { formatRunTable } from '../harness/run/table.ts';
import { type Machine, type Mode, ModeName, type RunDocument } from '../harness/schema.ts';
import {
  type ClaimedJob,
  type JobProgressReport,
  plainHttpWarning,
  ResponseTooLarge,
  ServerClient,
  ServerError,
  ServerUnreachable,
} from './client.ts';
import { jobSuites } from './job-suites.ts';
import { collectMachine } from './machine.ts';
import { type Installer, installCpython, resolveJobRuntimes } from './runtimes.ts';
import { openSpool, type Spool } from './spool.ts';
import { type AgentState, normalizeServerUrl, readAgentState, writeAgentState } from './state.ts';
import { readTokenFile } from './token-file.ts';
import { DEFAULT_RETRY, type DrainReport, drainSpool, type RetryPolicy, withRetry } from './upload.ts';

/** What to run without a server job (`--suite`, `--mode`, `--profile`, `--filter`). */
export interface LocalRunSpec {
  suites: string[];
  modes: ModeName[];
  profile: string;
  filter?: string;
  /** Which installed runtime (a version, a runtime id or `newest`). */
  runtime?: string;
}

export interface AgentOptions {
  /** Server base URL; null for a machine without a server. */
  server: string | null;
  /** Enrollment token, needed only until the agent has its own token. */
  enrollToken: string | null;
  /** Or: the file it is read from, when enrolling (`--token-file`). */
  enrollTokenFile: string | null;
  labels: string[];
  spoolDir: string;
  stateFile: string;
  once: boolean;
  /** Cron expression for local runs. */
  schedule: string | null;
  /** Suites given on the command line: run those instead of claiming jobs. */
  local: LocalRunSpec | null;
  /** Profile for server jobs that name none. */
  defaultProfile: string;
  pythons: string[];
  /** Real paths of the folders a job's suite files may come from (`--allow-suite-dir`); empty: built-in suites only. */
  allowSuiteDirs: string[];
  /** Build a missing CPython (cpython@3.13) through the harness's installer. */
  installRuntimes: boolean;
  /** Write the spooled runs here (a JSON array) after each local run, or at once with nothing else to do. */
  exportFile: string | null;
  /** How often an idle agent asks for a job. */
  pollMs: number;
  /** The longest an agent waits between attempts while the server is unreachable. */
  maxBackoffMs: number;
  /** Lease the agent asks for; progress after every case renews it. */
  leaseSeconds: number;
  retry: RetryPolicy;
  /** Aborted on SIGINT/SIGTERM: the case stops, workers are killed, the job goes back to the queue. */
  signal: AbortSignal;
  log: (message: string) => void;
  /** Prints human output (the run table of `--once`). */
  print: (text: string) => void;
  /** The installer; replaceable so its decision can be tested without a 10-minute build. */
  install?: Installer;
}

/** Exit codes: 0 done (or an unattended agent stopped by a signal), 1 something failed, 2 usage, 130 an interrupted --once. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Progress posts must not hold up the next case for long. */
const PROGRESS_TIMEOUT_MS = 5000;
/** setTimeout cannot wait longer than ~24.8 days; sleeps are cut into pieces. */
const MAX_SLEEP_MS = 60 * 60 * 1000;

class Interrupted extends Error {
  override name = 'Interrupted';
}

/** The server took the job away (cancelled, or the lease moved on): measuring on would be wasted. */
class JobLost extends Error {
  override name = 'JobLost';
}

/** The token was refused: the agent cannot do anything useful until someone enrolls it again. */
class NotAuthorized extends Error {
  override name = 'NotAuthorized';
}

/** Defaults for everything but where to connect. */
export function defaultAgentOptions(): Omit<AgentOptions, 'spoolDir' | 'stateFile' | 'signal'> {
  return {
    server: null,
    enrollToken: null,
    enrollTokenFile: null,
    labels: [],
    once: false,
    schedule: null,
    local: null,
    defaultProfile: 'default',
    pythons: [],
    allowSuiteDirs: [],
    installRuntimes: false,
    exportFile: null,
    pollMs: 30_000,
    maxBackoffMs: 5 * 60_000,
    leaseSeconds: 900,
    retry: DEFAULT_RETRY,
    log: (message) => process.stderr.write(`${new Date().toISOString()} gilbench agent: ${message}\n`),
    print: (text) => process.stdout.write(`${text}\n`),
  };
}

/**
 * Runs the agent until it is done (`--once`) or stopped; returns the exit code.
 * Throws UsageError for mistakes the user can fix (bad flags, not enrolled).
 */
export async function runAgent(opts: AgentOptions): Promise<number> {
  return new Agent(opts).run();
}

class Agent {
  readonly #opts: AgentOptions;
  readonly #log: (message: string) => void;
  #spool!: Spool;
  #client: ServerClient | null = null;
  #machine: Machine | null = null;

  constructor(opts: AgentOptions) {
    this.#opts = opts;
    this.#log = opts.log;
  }

  async run(): Promise<number> {
    const o = this.#opts;
    const cron = o.schedule === null ? null : parseSchedule(o.schedule);
    this.#spool = openSpool(o.spoolDir, { onWarning: (w) => this.#log(`warning: ${w}`) });
    const waiting = this.#spool.list().length; // sets corrupt files aside before anything else
    if (waiting) this.#log(`${waiting} run(s) waiting in the spool ${this.#spool.dir}`);

    try {
      if (o.server !== null) {
        await this.#connect(o.server);
        await this.#drain(); // what the spool holds goes first
      }
      if (cron) return await this.#scheduleLoop(cron);
      if (o.local) return await this.#localOnce(o.local);
      if (o.server === null) {
        this.#export();
        return EXIT.ok;
      }
      if (o.once) return await this.#oneJob();
      return await this.#jobLoop();
    } catch (err) {
      if (err instanceof Interrupted || o.signal.aborted) {
        this.#log('stopped');
        return o.once ? EXIT.interrupted : EXIT.ok;
      }
      if (err instanceof NotAuthorized) throw new UsageError(err.message);
      if (err instanceof ServerUnreachable || err instanceof ServerError || err instanceof ResponseTooLarge) {
        this.#log(`giving up: ${err.message}`);
        return EXIT.failed;
      }
      throw err;
    }
  }

  /**
   * Enrolls on first start (state file, mode 0600); later starts reuse the
   * identity. A machine whose fingerprint changed (memory, cores, OS,
   * hostname) is another machine to the server: what the spool holds from
   * before goes up under the old identity, then the agent enrolls again.
   */
  async #connect(serverUrl: string): Promise<void> {
    const o = this.#opts;
    const server = normalizeServerUrl(serverUrl);
    const insecure = plainHttpWarning(server);
    if (insecure) this.#log(`warning: ${insecure}`);
    const machine = await collectMachine({ labels: o.labels });
    this.#machine = machine;
    let state = readAgentState(o.stateFile);
    if (state && state.server !== server) {
      this.#log(`the state file names ${state.server}, not ${server}: enrolling with ${server}`);
      state = null;
    }
    if (state && state.fingerprint !== machine.fingerprint) {
      const old = state;
      this.#log(
        `this machine's fingerprint changed since it enrolled as machine ${old.machineId} (cores, memory, OS or hostname): its results start a new series`,
      );
      this.#client = new ServerClient(server, old.token);
      await this.#drain(undefined, (doc) => doc.machine.fingerprint === old.fingerprint);
      state = null;
    }
    if (!state) {
      const enrollToken =
        o.enrollToken ??
        (o.enrollTokenFile ? readTokenFile(o.enrollTokenFile, (w) => this.#log(`warning: ${w}`)) : null);
      if (!enrollToken) {
        throw new UsageError(
          `this agent is not enrolled with ${server} as this machine; give it an enrollment token (made with the server's admin API) with --token-file FILE or GILBENCH_TOKEN`,
        );
      }
      const client = new ServerClient(server, enrollToken);
      const enrollment = await this.#untilReachable(() => client.enroll(machine), 'enrollment');
      state = {
        server,
        machineId: enrollment.machineId,
        token: enrollment.token,
        fingerprint: machine.fingerprint,
        enrolledAt: new Date().toISOString(),
        ...(enrollment.requestId ? { pendingRequest: enrollment.requestId } : {}),
      } satisfies AgentState;
      writeAgentState(o.stateFile, state);
      if (!state.pendingRequest) {
        this.#log(`enrolled with ${server} as machine ${state.machineId}; identity kept in ${o.stateFile}`);
      }
    } else {
      this.#log(`machine ${state.machineId} at ${server} (identity from ${o.stateFile})`);
    }
    this.#client = new ServerClient(server, state.token);
    if (state.pendingRequest) await this.#awaitApproval(state);
  }

  /**
   * The machine was enrolled already, so an enrollment token only asked for its identity:
   * the token works once an admin approves the request. Until then every call is refused
   * (401); the agent asks again every poll interval and goes on when one is answered.
   */
  async #awaitApproval(state: AgentState): Promise<void> {
    const o = this.#opts;
    this.#log(
      `this machine is enrolled with ${state.server} as machine ${state.machineId} already: request ${state.pendingRequest} waits for an admin (gilbench server enrollment approve ${state.pendingRequest}); waiting`,
    );
    while (!o.signal.aborted) {
      try {
        await this.#client!.heartbeat({ status: 'idle', jobId: null, machine: this.#machine! });
        const { pendingRequest: _, ...approved } = state;
        writeAgentState(o.stateFile, approved);
        this.#log(`request ${state.pendingRequest} approved: enrolled as machine ${state.machineId}`);
        return;
      } catch (err) {
        if (!isAuthError(err)) this.#log(`${(err as Error).message}; trying again`);
      }
      await this.#sleep(o.pollMs);
    }
    throw new Interrupted();
  }

  /** Claims one job, runs it, uploads it, exits. No job waiting is not an error. */
  async #oneJob(): Promise<number> {
    const client = this.#client!;
    const job = await this.#untilReachable(async () => {
      await client.heartbeat({ status: 'idle', jobId: null, machine: this.#machine! });
      return client.claim({ labels: this.#opts.labels, leaseSeconds: this.#opts.leaseSeconds });
    }, 'claiming a job');
    if (!job) {
      this.#log('no job waiting for this machine');
      return EXIT.ok;
    }
    const outcome = await this.#runJob(job);
    return outcome === 'uploaded' ? EXIT.ok : EXIT.failed;
  }

  /** The unattended loop: heartbeat, claim, run, upload; waits out server outages with backoff. */
  async #jobLoop(): Promise<number> {
    const o = this.#opts;
    const client = this.#client!;
    let backoff = Math.min(o.pollMs, 1000);
    while (!o.signal.aborted) {
      try {
        if (this.#spool.size() > 0) await this.#drain();
        await client.heartbeat({ status: 'idle', jobId: null, machine: this.#machine! });
        const job = await client.claim({ labels: o.labels, leaseSeconds: o.leaseSeconds });
        backoff = Math.min(o.pollMs, 1000);
        if (job) {
          await this.#runJob(job);
          continue; // another job may be waiting
        }
        await this.#sleep(o.pollMs);
      } catch (err) {
        if (err instanceof Interrupted || o.signal.aborted) throw new Interrupted();
        if (isAuthError(err)) throw new NotAuthorized(authMessage(o.stateFile, err as ServerError));
        this.#log(`${(err as Error).message}; trying again in ${Math.round(backoff / 1000)} s`);
        await this.#sleep(backoff);
        backoff = Math.min(backoff * 2, o.maxBackoffMs);
      }
    }
    throw new Interrupted();
  }

  /** Runs a claimed job; a run that cannot start fails the job, an interrupted one goes back to the queue. */
  async #runJob(job: ClaimedJob): Promise<'uploaded' | 'spooled' | 'failed'> {
    const client = this.#client!;
    this.#log(
      `job ${job.id}: ${job.suites.join(',')} in ${job.modes.join(',')} (${job.profile ?? this.#opts.defaultProfile})`,
    );
    let doc: RunDocument;
    try {
      await client.heartbeat({ status: 'running', jobId: job.id }).catch((err: unknown) => {
        if (isAuthError(err)) throw err; // anything else: the job does not depend on it
      });
      const modes = job.modes.map((name) => {
        const parsed = ModeName.safeParse(name);
        if (!parsed.success) throw new UsageError(`unknown mode '${name}' in job ${job.id}`);
        return parsed.data;
      });
      // Before any interpreter starts: a suite file outside --allow-suite-dir is never imported.
      const suites = jobSuites(job.suites, this.#opts.allowSuiteDirs);
      doc = await this.#measure(
        {
          suites,
          modes,
          profile: job.profile ?? this.#opts.defaultProfile,
          ...(job.runtime ? { runtime: job.runtime } : {}),
        },
        { job, client },
      );
    } catch (err) {
      if (this.#opts.signal.aborted) {
        // Back to the queue at once, rather than after the lease runs out.
        await client
          .fail(job.id, { error: 'the agent was stopped', requeue: true })
          .then(() => this.#log(`job ${job.id} handed back to the queue`))
          .catch((e: Error) => this.#log(`could not hand job ${job.id} back (${e.message}); its lease will expire`));
        throw new Interrupted();
      }
      if (isAuthError(err)) throw new NotAuthorized(authMessage(this.#opts.stateFile, err as ServerError));
      if (err instanceof JobLost) {
        this.#log(`job ${job.id} stopped: ${err.message}`);
        return 'failed';
      }
      const message = (err as Error).message;
      this.#log(`job ${job.id} failed: ${message}`);
      await withRetry(() => client.fail(job.id, { error: message.slice(0, 2000), requeue: false }), 'failing the job', {
        retry: this.#opts.retry,
        signal: this.#opts.signal,
      }).catch((e: Error) => this.#log(`could not report the failure of job ${job.id}: ${e.message}`));
      return 'failed';
    }
    this.#keep(doc);
    this.#print(doc);
    const report = await this.#drain();
    return report.uploaded.includes(doc.id) ? 'uploaded' : 'spooled';
  }

  /** `--once --suite …`: one local run, spooled, uploaded when a server is given, exported when asked. */
  async #localOnce(spec: LocalRunSpec): Promise<number> {
    const doc = await this.#measure(spec, null);
    this.#keep(doc);
    this.#print(doc);
    let code: number = EXIT.ok;
    if (this.#client) {
      const report = await this.#drain();
      if (!report.uploaded.includes(doc.id)) {
        this.#log(`run ${doc.id} stays in the spool until the server can take it`);
        code = EXIT.failed;
      }
    }
    this.#export();
    return code;
  }

  /** `--schedule CRON`: local runs at each slot; a slot missed while a run was going is skipped, not queued. */
  async #scheduleLoop(cron: Cron): Promise<number> {
    const o = this.#opts;
    const spec = o.local ?? { suites: defaultSuites(), modes: ['gil', 'nogil', 'ft-gil'], profile: o.defaultProfile };
    for (;;) {
      const next = cron.nextRun();
      if (!next) {
        this.#log(`the schedule '${o.schedule}' has no future slot`);
        return EXIT.ok;
      }
      this.#log(`next run at ${next.toISOString()}`);
      if (this.#client && this.#spool.size() > 0) await this.#drain(next.getTime());
      await this.#sleepUntil(next.getTime());
      try {
        const doc = await this.#measure(spec, null);
        this.#keep(doc);
        if (this.#client) await this.#drain(cron.nextRun()?.getTime());
        this.#export();
      } catch (err) {
        if (err instanceof Interrupted || o.signal.aborted) throw new Interrupted();
        this.#log(`scheduled run failed: ${(err as Error).message}`);
      }
      if (o.once) return EXIT.ok;
    }
  }

  /**
   * One measurement: fresh machine metadata and runtimes (slow calls, made
   * before the first case), then the harness. With a job, the latest progress
   * is sent between cases, never while one is measured.
   */
  async #measure(spec: LocalRunSpec, server: { job: ClaimedJob; client: ServerClient } | null): Promise<RunDocument> {
    const o = this.#opts;
    this.#machine = await collectMachine({ labels: o.labels });
    const report = server ? (p: JobProgressReport) => this.#reportProgress(server.job, server.client, p) : null;
    const modes = await this.#resolveRuntimes(spec.modes, spec.runtime, report);
    this.#log(`modes: ${modes.map((m) => `${m.id} (${m.runtime.executable})`).join(', ')}`);
    let pending: JobProgressReport | null = null;
    // tinybench never removes the abort listeners it adds: a signal per run keeps
    // months of them from piling up on the agent's own signal.
    const run = new AbortController();
    setMaxListeners(0, run.signal);
    const forward = () => run.abort(o.signal.reason);
    o.signal.addEventListener('abort', forward, { once: true });
    if (o.signal.aborted) forward();
    const doc = await runBenchmarks({
      suites: spec.suites,
      modes: spec.modes,
      profile: spec.profile,
      filter: spec.filter,
      pythons: o.pythons,
      machine: this.#machine,
      jobId: server?.job.id ?? null,
      resolvedModes: modes,
      signal: run.signal,
      onProgress: (event) => {
        if (event.type === 'planned') {
          this.#log(`${event.total} measurements planned`);
        } else if (event.type === 'case-start') {
          this.#log(`case-start ${event.index + 1}/${event.total} ${event.caseId} ${event.mode}`);
        } else {
          const r = event.result;
          const flags = r.warnings.map((w) => w.code).join(',');
          this.#log(
            `case-done ${event.index + 1}/${event.total} ${event.caseId} ${event.mode}: ${r.status}${flags ? ` (${flags})` : ''}${r.error ? ` ${r.error.message}` : ''}`,
          );
          pending = {
            done: event.index + 1,
            total: event.total,
            message: `${event.caseId} ${event.mode}: ${r.status}`,
          };
        }
      },
      betweenCases: report
        ? async () => {
            if (!pending) return;
            const latest: JobProgressReport = pending;
            pending = null;
            await report(latest);
          }
        : undefined,
    }).finally(() => o.signal.removeEventListener('abort', forward));
    const errors = doc.results.filter((r) => r.status === 'error').length;
    this.#log(`run ${doc.id} finished: ${doc.results.length} results${errors ? `, ${errors} errored` : ''}`);
    return doc;
  }

  /** Modes to runtimes on this machine; a missing CPython is built first when --install-runtimes allows it. */
  async #resolveRuntimes(
    names: ModeName[],
    runtime: string | undefined,
    report: ((p: JobProgressReport) => Promise<void>) | null,
  ): Promise<Mode[]> {
    const o = this.#opts;
    // A build runs before any case: its progress may go out, and keeps the job's lease alive.
    let sent: Promise<void> = Promise.resolve();
    const log = (message: string) => {
      this.#log(message);
      if (report) sent = sent.then(() => report({ done: 0, total: 0, message }));
    };
    const installer = o.install ?? installCpython;
    const modes = await resolveJobRuntimes(names, {
      discover: { pythons: o.pythons },
      runtime,
      install: o.installRuntimes ? (spec) => installer(spec, log) : null,
      log,
    });
    await sent; // nothing may still be in flight when the first case starts
    return modes;
  }

  /** Sends progress; a slow or failing server must not stop the job (the lease is the backstop). */
  async #reportProgress(job: ClaimedJob, client: ServerClient, progress: JobProgressReport): Promise<void> {
    try {
      await client.progress(job.id, progress, { timeoutMs: PROGRESS_TIMEOUT_MS });
    } catch (err) {
      if (isAuthError(err)) throw err;
      // 409: cancelled, or the lease expired and the job moved on; 403/404: not ours, or gone.
      if (err instanceof ServerError && [403, 404, 409].includes(err.status)) throw new JobLost(err.message);
      this.#log(`progress of job ${job.id} not sent: ${(err as Error).message}`);
    }
  }

  /** Writes the run to the spool before anything tries to upload it. */
  #keep(doc: RunDocument): void {
    const file = this.#spool.put(doc);
    this.#log(`run ${doc.id} spooled in ${file}`);
  }

  /** Uploads the spool; stops at the deadline (the next scheduled run) or on a signal. */
  async #drain(deadline?: number, accept?: (doc: RunDocument) => boolean): Promise<DrainReport> {
    const client = this.#client;
    if (!client) return { uploaded: [], rejected: [], remaining: this.#spool.size(), stoppedBy: null };
    const signals = [this.#opts.signal];
    if (deadline !== undefined) signals.push(AbortSignal.timeout(Math.max(0, deadline - Date.now())));
    const report = await drainSpool(this.#spool, client, {
      retry: this.#opts.retry,
      signal: AbortSignal.any(signals),
      log: this.#log,
      accept,
    });
    if (this.#opts.signal.aborted) throw new Interrupted();
    if (report.stoppedBy) {
      if (isAuthError(report.stoppedBy)) {
        throw new NotAuthorized(authMessage(this.#opts.stateFile, report.stoppedBy as ServerError));
      }
      this.#log(`${report.remaining} run(s) stay in the spool: ${report.stoppedBy.message}`);
    }
    return report;
  }

  /** Retries a call while the server is unreachable: a few times with --once, for as long as it takes otherwise. */
  async #untilReachable<T>(call: () => Promise<T>, what: string): Promise<T> {
    const o = this.#opts;
    for (;;) {
      try {
        return await withRetry(call, what, { retry: o.retry, signal: o.signal, log: this.#log });
      } catch (err) {
        if (o.signal.aborted) throw new Interrupted();
        if (isAuthError(err)) throw new NotAuthorized(authMessage(o.stateFile, err as ServerError));
        if (o.once || !(err instanceof ServerUnreachable || (err instanceof ServerError && err.retryable))) throw err;
        this.#log(`${what}: ${(err as Error).message}; trying again in ${Math.round(o.maxBackoffMs / 1000)} s`);
        await this.#sleep(o.maxBackoffMs);
      }
    }
  }

  #export(): void {
    const file = this.#opts.exportFile;
    if (!file) return;
    const docs = this.#spool.list().map((e) => e.doc);
    writeFileAtomic(file, `${JSON.stringify(docs, null, 1)}\n`);
    this.#log(`${docs.length} spooled run(s) exported to ${file}`);
  }

  #print(doc: RunDocument): void {
    if (this.#opts.once) this.#opts.print(formatRunTable(doc));
  }

  async #sleep(ms: number): Promise<void> {
    await this.#sleepUntil(Date.now() + ms);
  }

  async #sleepUntil(at: number): Promise<void> {
    for (;;) {
      const left = at - Date.now();
      if (left <= 0) return;
      try {
        await delay(Math.min(left, MAX_SLEEP_MS), undefined, { signal: this.#opts.signal });
      } catch {
        throw new Interrupted();
      }
    }
  }
}

/**
 * Checks a cron expression early, so a typo is a usage error and not a silent agent.
 * @example parseSchedule('0 3 * * *').nextRun()
 */
export function parseSchedule(expression: string): Cron {
  try {
    return new Cron(expression, { paused: true });
  } catch (err) {
    throw new UsageError(
      `--schedule '${expression}' is not a cron expression (${(err as Error).message}); e.g. "0 3 * * *"`,
    );
  }
}

/** What a scheduled run measures when no --suite is given: every built-in suite but the self-test. */
export function defaultSuites(): string[] {
  return builtInSuites().filter((name) => name !== 'selftest');
}

/** 401: the token is unknown or revoked (403 is about one request: another machine's job or run). */
function isAuthError(err: unknown): boolean {
  return err instanceof ServerError && err.status === 401;
}

function authMessage(stateFile: string, err: ServerError): string {
  return `the server refused this agent's token (${err.status} ${err.error}); it may have been revoked: move ${stateFile} away and enroll again with a new enrollment token (--token-file)`;
}
