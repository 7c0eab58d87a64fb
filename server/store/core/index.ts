/**
 * The store contract: domain types, one interface per subject, the Store.
 * @example import type { Store, Job } from '../store/core/index.ts';
 */
export type { AnnotationStore } from './annotations.ts';
export type { AnswerStore, StoredAnswer } from './answers.ts';
export type { JobStore } from './jobs.ts';
export type { MachineStore } from './machines.ts';
export type { RegressionStore } from './regressions.ts';
export type { RunStore } from './runs.ts';
export type { ScheduleStore } from './schedules.ts';
export type { SeriesStore } from './series.ts';
export { type HealthStore, redact, STORE_KINDS, type Store, type StoreKind, StoreOpenError } from './store.ts';
export type { TokenStore } from './tokens.ts';
export * from './types.ts';
export type { WindowStore } from './windows.ts';
