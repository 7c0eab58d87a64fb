/**
 * An error the user caused (bad flag, unknown suite, missing runtime).
 * The CLI prints its message on one line and exits with code 2.
 *
 * @example throw new UsageError("unknown suite 'foo'; run `gilbench suites` to list them");
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit code for errors the user can fix. */
export const USAGE_EXIT = 2;
