/**
 * Runtime selectors: how `gilbench run --runtime`, a job and a schedule name
 * an installed runtime. Pure, so the server's contract checks a job's
 * selector with the same rule the agent resolves it by.
 *
 *   3.13.15, 3.13                  a version (a minor matches its releases)
 *   cpython-3.13.15t               a runtime id: version and build kind (fast)
 *   cpython-3.13.5-release         … of a release (PGO + LTO) build
 *   newest                         the newest version that serves every mode
 */
import { UsageError } from '../errors.ts';

/** What a runtime selector asks for. */
export interface RuntimeSelector {
  version?: string;
  buildKind?: 'fast' | 'release';
  newest?: boolean;
}

const VERSION = /^\d+\.\d+(\.\d+((a|b|rc)\d+)?)?$/;
const RUNTIME_ID = /^cpython-(\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?)t?(-release)?$/;

/** The one-line rule, for an error message. */
export const RUNTIME_SELECTOR_FORMS = 'a version (3.13.15), a runtime id (cpython-3.13.15t) or newest';

/**
 * Parse a runtime selector; null when it is none of the three forms.
 * @example readRuntimeSelector('cpython-3.13.5t-release') // { version: '3.13.5', buildKind: 'release' }
 */
export function readRuntimeSelector(text: string): RuntimeSelector | null {
  const value = text.trim();
  if (value === 'newest') return { newest: true };
  if (VERSION.test(value)) return { version: value };
  const id = value.match(RUNTIME_ID);
  if (id) return { version: id[1]!, buildKind: id[2] ? 'release' : 'fast' };
  return null;
}

/**
 * Parse a runtime selector; anything else is a UsageError naming the three forms.
 * @example parseRuntimeSelector('cpython-3.13.5t-release') // { version: '3.13.5', buildKind: 'release' }
 */
export function parseRuntimeSelector(text: string): RuntimeSelector {
  const selector = readRuntimeSelector(text);
  if (!selector) throw new UsageError(`--runtime ${text} is not a runtime selector; pass ${RUNTIME_SELECTOR_FORMS}`);
  return selector;
}
