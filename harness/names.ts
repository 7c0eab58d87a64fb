/**
 * Hostnames and labels are shown to people (dashboard, chat alerts) and
 * compared by people: characters that render as nothing or reorder the text
 * around them (control, zero-width, bidi controls) would let one name pass
 * for another. They are refused by the server and kept out by the agent.
 *
 * @example
 * nameProblem('bench\u202Eexe.1') // 'U+202E (an invisible or bidi control character) is not allowed'
 * cleanName('bench\u200B-1')      // 'bench-1'
 */

/** Control (Cc), format (Cf: zero-width, bidi, soft hyphen, BOM, tags) and line/paragraph separators. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const UNSAFE_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * Why `text` is no acceptable hostname or label, or null when it is.
 * @example nameProblem('x86') === null
 */
export function nameProblem(text: string): string | null {
  const found = UNSAFE.exec(text);
  if (!found) return null;
  const code = found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `U+${code} (an invisible or bidi control character) is not allowed`;
}

/**
 * `text` without the characters `nameProblem` refuses (for the machine's own hostname).
 * @example cleanName('a\u0000b') === 'ab'
 */
export function cleanName(text: string): string {
  return text.replace(UNSAFE_ALL, '');
}
