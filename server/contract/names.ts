/**
 * The server's check of hostnames and labels in request bodies
 * (`harness/names.ts` says which characters and why): one function over
 * every body, so each route that takes a machine or labels gets it, with a
 * 422 naming the field.
 *
 * @example
 * unsafeNameIn({ machine: { hostname: 'a\u200Bb', labels: [] } })
 * // 'body.machine.hostname: U+200B (an invisible or bidi control character) is not allowed in hostnames and labels'
 */
import { nameProblem } from '../../harness/names.ts';

/** The first hostname or label of a (validated) body that `nameProblem` refuses, described; null when none. */
export function unsafeNameIn(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const fields: Array<[string, unknown]> = [];
  const { machine, labels } = body as { machine?: { hostname?: unknown; labels?: unknown }; labels?: unknown };
  if (machine && typeof machine === 'object') {
    fields.push(['body.machine.hostname', machine.hostname]);
    if (Array.isArray(machine.labels)) {
      for (const [i, label] of machine.labels.entries()) fields.push([`body.machine.labels[${i}]`, label]);
    }
  }
  if (Array.isArray(labels)) {
    for (const [i, label] of labels.entries()) fields.push([`body.labels[${i}]`, label]);
  }
  for (const [where, value] of fields) {
    const problem = typeof value === 'string' ? nameProblem(value) : null;
    if (problem) return `${where}: ${problem} in hostnames and labels`;
  }
  return null;
}
