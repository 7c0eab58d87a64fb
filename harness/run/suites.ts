/**
 * Finds suites by name (built-in: `suites/<name>/suite.py`) or by path (a
 * user's `.py` file), and reads their benchmarks and case matrices through a
 * runtime worker, so the Python file stays the one place they are declared.
 *
 * @example
 * const ref = resolveSuite('selftest'); // { name: 'selftest', file: '/…/suites/selftest/suite.py', builtIn: true }
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.ts';
import type { CaseParams } from '../schema.ts';
import { WorkerError, type WorkerProcess } from '../worker/client.ts';

export const SUITES_DIR = fileURLToPath(new URL('../../suites/', import.meta.url));

export interface SuiteRef {
  name: string;
  file: string;
  builtIn: boolean;
}

export interface BenchmarkInfo {
  name: string;
  description: string;
  params: Record<string, Array<string | number | boolean>>;
  opsPerLoop: number;
  /** The kind of work (the suite's BENCHMARKS "category"), for geometric means per category. */
  category?: string;
}

export interface SuiteListing extends SuiteRef {
  description: string;
  benchmarks: BenchmarkInfo[];
}

/** The names of the built-in suites (folders of `suites/` holding a suite.py). */
export function builtInSuites(): string[] {
  return readdirSync(SUITES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(resolve(SUITES_DIR, d.name, 'suite.py')))
    .map((d) => d.name)
    .sort();
}

export function resolveSuite(nameOrPath: string): SuiteRef {
  if (/^[a-z0-9-]+$/.test(nameOrPath)) {
    const file = resolve(SUITES_DIR, nameOrPath, 'suite.py');
    if (existsSync(file)) return { name: nameOrPath, file, builtIn: true };
  }
  if (nameOrPath.endsWith('.py')) {
    const file = resolve(nameOrPath);
    if (!existsSync(file)) throw new UsageError(`suite file not found: ${file}`);
    return { name: basename(file, '.py'), file, builtIn: false };
  }
  throw new UsageError(
    `unknown suite '${nameOrPath}'; use one of ${builtInSuites().join(', ')}, or a path to a .py file (see suites/README.md)`,
  );
}

/** Asks a worker for the suite's benchmarks; a suite that does not import is a usage error naming the file. */
export async function listSuite(worker: WorkerProcess, ref: SuiteRef): Promise<SuiteListing> {
  try {
    const reply = await worker.request({ cmd: 'list', file: ref.file });
    if (reply.benchmarks.length === 0) {
      throw new UsageError(`${ref.file}: no benchmarks found; define functions named bench_<name>(loops, ctx)`);
    }
    return {
      ...ref,
      description: reply.description,
      benchmarks: reply.benchmarks.map((b) => ({
        name: b.name,
        description: b.doc,
        params: b.params,
        opsPerLoop: b.ops,
        ...(b.category ? { category: b.category } : {}),
      })),
    };
  } catch (err) {
    if (err instanceof WorkerError && err.kind === 'benchmark') throw new UsageError(err.message);
    throw err;
  }
}

/**
 * The cross product of a benchmark's parameter values, in declaration order.
 * @example expandCases({ threads: [1, 2], lock: ['none', 'lock'] }).length === 4
 */
export function expandCases(params: BenchmarkInfo['params']): CaseParams[] {
  let cases: CaseParams[] = [{}];
  for (const [key, values] of Object.entries(params)) {
    cases = cases.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return cases;
}

/**
 * Thread counts for threaded benchmarks: 1..usable cores, doubled when
 * oversubscribing, unless the user gave an explicit list.
 * @example threadCounts(2, { oversubscribe: true }) // [1, 2, 3, 4]
 */
export function threadCounts(usableCores: number, opts: { oversubscribe?: boolean; explicit?: number[] }): number[] {
  if (opts.explicit?.length) return [...new Set(opts.explicit)].sort((a, b) => a - b);
  const top = usableCores * (opts.oversubscribe ? 2 : 1);
  return Array.from({ length: top }, (_, i) => i + 1);
}
