/**
 * The API contract: zod schemas, and the types inferred from them, of every
 * route's request (path parameters, query, body) and response, one module
 * per subject. The server's route table validates with these and types its
 * answers with them; the agent parses answers with them; the dashboard
 * imports their types (type-only, so zod stays out of its bundle) and the
 * plain constants of `enums.ts`; the OpenAPI document is generated from them.
 * The run document itself is `harness/schema.ts` (the measurement contract).
 * Nothing here imports the server's store or database.
 *
 * @example
 * import { MachinesResponse } from './server/contract/index.ts';
 * const { machines } = MachinesResponse.parse(await res.json());
 */
export * from './annotations.ts';
export * from './common.ts';
export * from './compare.ts';
export * from './enums.ts';
export * from './history.ts';
export * from './jobs.ts';
export * from './machines.ts';
export * from './regressions.ts';
export * from './retry-after.ts';
export * from './run-document.ts';
export * from './runs.ts';
export * from './schedules.ts';
export * from './session.ts';
export * from './tokens.ts';
export * from './trends.ts';
