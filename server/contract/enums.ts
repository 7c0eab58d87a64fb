/**
 * The API's closed vocabularies as plain constants, with no zod: the web
 * bundle imports these (its other contract imports are type-only), and the
 * database schema builds its column enums from them.
 *
 * @example
 * for (const s of REGRESSION_STATUSES) console.log(s); // new, acknowledged, fixed, ignored
 */

/** What a person decided about a detected change. */
export const REGRESSION_STATUSES = ['new', 'acknowledged', 'fixed', 'ignored'] as const;
export type RegressionStatus = (typeof REGRESSION_STATUSES)[number];

/** Which way a detected change went: slower (regression) or faster (improvement). */
export const REGRESSION_KINDS = ['regression', 'improvement'] as const;
export type RegressionKind = (typeof REGRESSION_KINDS)[number];

/** Where a job is in its life. */
export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Who a token speaks for. */
export const TOKEN_ROLES = ['admin', 'enroll', 'agent'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** A stored result's verdict (the run document's `status`). */
export const RESULT_STATUSES = ['ok', 'error', 'invalid'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

/** Where a request to enroll an already enrolled machine is: waiting for an admin, or decided. */
export const ENROLLMENT_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type EnrollmentStatus = (typeof ENROLLMENT_STATUSES)[number];
