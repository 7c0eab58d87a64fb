/**
 * Parsers for the options of a run, shared by `gilbench run`, the agent and
 * `gilbench start`: each turns what a user typed into checked values, or a
 * UsageError that says what to type instead.
 *
 * @example parseModes(collect('gil,nogil')) // ['gil', 'nogil']
 */
import { UsageError } from '../errors.ts';
import { ModeName } from '../schema.ts';

/**
 * Commander option parser: splits `a,b` and repeated flags into one list.
 * @example program.option('--suite <names>', 'suites', collect) // --suite a,b --suite c -> ['a', 'b', 'c']
 */
export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

export function parseModes(values: string[]): ModeName[] {
  return values.map((v) => {
    const parsed = ModeName.safeParse(v);
    if (!parsed.success) throw new UsageError(`unknown mode '${v}'; use ${ModeName.options.join(', ')}`);
    return parsed.data;
  });
}

export function parseThreads(values: string[] | undefined): number[] | undefined {
  if (!values?.length) return undefined;
  return values.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 1024)
      throw new UsageError(`--threads takes whole numbers from 1 to 1024, not '${v}'`);
    return n;
  });
}
