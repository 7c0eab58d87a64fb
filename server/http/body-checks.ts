/**
 * Checks of a parsed JSON body beyond its schema, and the one-line wording of
 * schema issues. Pure, so they run where the body is parsed: the event loop
 * for small bodies, a pool thread for uploads (server/compute/upload-task.ts).
 *
 * @example
 * describeIssues('body', RunDocument.safeParse({}).error!.issues) // 'body.schema: Invalid input: …'
 */
import type { z } from 'zod';

/**
 * Deepest nesting of arrays and objects a JSON body may have. Storing a value
 * JSON.stringify()s it, which recurses: 10,000 levels in `machine.details`
 * (free-form, so zod lets any depth through) overflowed the stack and answered 500.
 */
export const MAX_BODY_DEPTH = 64;

/**
 * Whether `value` nests arrays or objects deeper than `limit` levels (the value itself is level 1).
 * Iterative, so measuring any depth is safe.
 * @example nestedDeeperThan({ a: [1] }, 1) // true
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  while (stack.length) {
    const top = stack.pop()!;
    if (top.value === null || typeof top.value !== 'object') continue;
    if (top.depth > limit) return true;
    // Arrays by index: no copy of each samples array just to learn it holds numbers.
    if (Array.isArray(top.value)) {
      for (let i = 0; i < top.value.length; i++) {
        const child: unknown = top.value[i];
        if (child !== null && typeof child === 'object') stack.push({ value: child, depth: top.depth + 1 });
      }
      continue;
    }
    for (const child of Object.values(top.value)) {
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: top.depth + 1 });
    }
  }
  return false;
}

/** At most 10 zod issues as one line: `body.results[3].samples[0]: Too small: expected number to be >0`. */
export function describeIssues(target: string, issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.slice(0, 10).map((issue) => {
    let path = target;
    for (const key of issue.path) path += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
    return `${path}: ${issue.message}`;
  });
  if (issues.length > 10) lines.push(`and ${issues.length - 10} more`);
  return lines.join('; ');
}
