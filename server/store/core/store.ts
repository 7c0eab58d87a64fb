/**
 * The store: one object per subject, each a small interface, every method
 * async and taking and giving plain data, so a backend may run its database
 * work elsewhere (a worker thread, a connection pool) without the callers
 * noticing. Backends: `server/store/sqlite/`, `server/store/postgres/`;
 * open one with `openStore(url)` (server/store/open.ts).
 *
 * @example
 * const store = await openStore('gilbench.db');
 * const machines = await store.machines.list();
 * await store.close();
 */
import type { AnnotationStore } from './annotations.ts';
import type { AnswerStore } from './answers.ts';
import type { JobStore } from './jobs.ts';
import type { MachineStore } from './machines.ts';
import type { RegressionStore } from './regressions.ts';
import type { RunStore } from './runs.ts';
import type { ScheduleStore } from './schedules.ts';
import type { SeriesStore } from './series.ts';
import type { TokenStore } from './tokens.ts';
import type { WindowStore } from './windows.ts';

export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface Store {
  readonly kind: StoreKind;
  /** Where the data is, fit to print: the file, or the URL without its password. */
  readonly location: string;
  readonly tokens: TokenStore;
  readonly machines: MachineStore;
  readonly runs: RunStore;
  readonly series: SeriesStore;
  readonly windows: WindowStore;
  readonly regressions: RegressionStore;
  readonly annotations: AnnotationStore;
  readonly schedules: ScheduleStore;
  readonly jobs: JobStore;
  readonly answers: AnswerStore;
  readonly health: HealthStore;
  /** Closes the connections; calling it again does nothing. */
  close(): Promise<void>;
}

/** Whether the database answers at all, for `/health`. */
export interface HealthStore {
  /** Resolves when the database answers a trivial query (which waits for no lock); rejects when it cannot. */
  ping(): Promise<void>;
}

/**
 * A store that cannot be opened because of what the caller gave: a URL of no known
 * kind, a database that cannot be reached or refuses the login, a file that is not a
 * database. One line, meant for the user (the CLI prints it and exits 2).
 */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

/**
 * A URL with its password replaced by `***`, fit to print.
 * @example redact('postgres://u:secret@h/db') // 'postgres://u:***@h/db'
 */
export function redact(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
