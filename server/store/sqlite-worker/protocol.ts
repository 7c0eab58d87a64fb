/**
 * What the event loop and the store's thread say to each other: a call of one
 * store method with its (plain data) arguments, and its answer or its error.
 * Errors travel as their name, message, code and stack, so the callers above
 * the store see a SQLite error's `code` (`SQLITE_FULL`, `SQLITE_BUSY`) as they
 * would in-process.
 *
 * @example
 * const message: Call = { id: 1, subject: 'runs', method: 'get', args: ['0f…'] };
 */

/** What the thread is started with. */
export interface ThreadOptions {
  file: string;
  /** How long one statement waits for another process's lock before the call is retried. */
  busyTimeoutMs: number;
  /** How long one call keeps retrying a busy database before its busy error is the answer. */
  busyBudgetMs: number;
}

/** One store method called: `store[subject][method](...args)`. */
export interface Call {
  id: number;
  subject: string;
  method: string;
  args: unknown[];
}

export type Request = Call | { id: number; close: true };

export interface EncodedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export type Reply =
  /** The store is open: its subjects, each with its methods. */
  | { kind: 'ready'; location: string; subjects: Record<string, string[]> }
  | { kind: 'open-failed'; error: EncodedError }
  | { kind: 'answer'; id: number; value: unknown }
  | { kind: 'failed'; id: number; error: EncodedError };

/**
 * An error as data (name, message, code, stack).
 * @example encodeError(Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' })).code // 'SQLITE_FULL'
 */
export function encodeError(err: unknown): EncodedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, stack: err.stack, ...(typeof code === 'string' ? { code } : {}) };
}

/**
 * The error back from its data: an Error of the same name, message, code and stack.
 * @example decodeError({ name: 'SqliteError', message: 'x', code: 'SQLITE_BUSY' }).code // 'SQLITE_BUSY'
 */
export function decodeError(data: EncodedError): Error {
  const err = new Error(data.message);
  err.name = data.name;
  if (data.stack) err.stack = data.stack;
  if (data.code !== undefined) Object.assign(err, { code: data.code });
  return err;
}

/**
 * Whether an error means another connection holds a lock this call needs (worth trying again).
 * @example isBusy(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })) // true
 */
export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}
