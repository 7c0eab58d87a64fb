/**
 * `npm run bench:harness`: how far the harness's own figures can be trusted.
 *
 * - precision: the selftest 4-argument call, 5 runs with a profile (default:
 *   `default`), per mode: spread of the reported median (max/min - 1), beside
 *   timeit's spread and the machine's own (machine_drift.py); and the spread
 *   of each mode's ratio to the first mode, measured in the same run;
 * - cost: wall time per case per mode;
 * - honesty: the empty body after loop-cost subtraction, and the 4-argument
 *   call against `python -m timeit` (3 invocations after each run) with
 *   timeit's own loop cost taken out the same way (the `pass` statement);
 * - CI calibration: how often one run's 95% CI holds the median of the others.
 *
 * Usage: npm run bench:harness [-- --repeats 5 --profile default --modes gil,nogil,ft-gil]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatNs } from '../format/index.ts';
import { parseModes } from '../run/options.ts';
import { runBenchmarks } from '../run/runner.ts';
import { modeEnvironment } from '../sampling/measure.ts';
import type { Mode, Result } from '../schema.ts';
import { compareResults, median } from '../stats/index.ts';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '5' },
    profile: { type: 'string', default: 'default' },
    modes: { type: 'string', default: 'gil,nogil,ft-gil' },
  },
});
const repeats = Number(values.repeats);
const modeNames = parseModes(values.modes.split(','));

/** The environment a worker of `mode` gets (see modeEnvironment), for timeit and machine_drift.py. */
function processEnv(mode: Mode): NodeJS.ProcessEnv {
  const { env, unsetEnv } = modeEnvironment(mode);
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of unsetEnv) delete merged[name];
  return merged;
}

interface Timeit {
  /** What timeit prints: the best repeat, per loop, in ns. */
  best: number;
  /** The median of its repeats, per loop, in ns. */
  median: number;
}

/** `python -m timeit -v` as a user runs it (its default 5 repeats), in the given mode. */
function timeit(mode: Mode, stmt: string, setup: string): Timeit {
  const env = processEnv(mode);
  const out = execFileSync(mode.runtime.executable, ['-m', 'timeit', '-v', '-s', setup, stmt], {
    env,
    encoding: 'utf8',
  });
  const loops = Number(/^(\d+) loops?, best of/m.exec(out)?.[1]);
  const raw = /raw times: (.*)$/m.exec(out)?.[1];
  if (!loops || !raw) throw new Error(`unexpected timeit output: ${out}`);
  const scale = { nsec: 1, usec: 1e3, msec: 1e6, sec: 1e9 };
  const perLoop = raw
    .split(',')
    .map((t) => t.trim().split(' '))
    .map(([value, unit]) => (Number(value) * scale[unit as keyof typeof scale]) / loops)
    .sort((a, b) => a - b);
  return { best: perLoop[0]!, median: perLoop[Math.floor(perLoop.length / 2)]! };
}

/** The 4-argument call net of timeit's own loop cost (its `pass`), best and median. */
function timeitNet(mode: Mode): Timeit {
  const call = timeit(mode, 'f(1, 2, 3, 4)', 'def f(a, b, c, d): return a');
  const empty = timeit(mode, 'pass', 'pass');
  return { best: call.best - empty.best, median: call.median - empty.median };
}

/** machine_drift.py in the given mode: the spread of consecutive case-long windows of one loop in one process. */
function machineDrift(mode: Mode, seconds: number, windowSeconds: number): number {
  const env = processEnv(mode);
  const script = fileURLToPath(new URL('./machine_drift.py', import.meta.url));
  const out = execFileSync(mode.runtime.executable, [script, String(seconds), String(windowSeconds)], {
    env,
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { spread: number }).spread;
}

const runs: Result[][] = [];
// timeit runs right after each of our runs, so both see the same machine
// conditions (a shared machine's load drifts over minutes); TIMEITS_PER_RUN
// invocations each, since one timeit process moves several percent from the next.
const TIMEITS_PER_RUN = 3;
const timeits: Map<string, Timeit[]>[] = [];
let modes: Mode[] = [];
for (let i = 0; i < repeats; i++) {
  const doc = await runBenchmarks({
    suites: ['selftest'],
    modes: modeNames,
    profile: values.profile,
    filter: '^selftest/(call-4args|empty)$',
  });
  modes = doc.modes;
  runs.push(doc.results);
  timeits.push(new Map(modes.map((mode) => [mode.id, Array.from({ length: TIMEITS_PER_RUN }, () => timeitNet(mode))])));
  process.stderr.write(`run ${i + 1}/${repeats} done\n`);
}
// The floor: how much the machine alone moves between windows as long as one case.
const caseSeconds = (mode: Mode) => {
  const walls = runs.flat().filter((r) => r.mode === mode.id && r.benchmark === 'call-4args');
  return walls.reduce((s, r) => s + r.wallMs, 0) / walls.length / 1000;
};
const drift = new Map(modes.map((mode) => [mode.id, machineDrift(mode, 30, caseSeconds(mode))]));

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const spreadOf = (xs: number[]) => Math.max(...xs) / Math.min(...xs) - 1;
const precision: string[][] = [];
const honesty: string[][] = [];
for (const mode of modes) {
  const pick = (bench: string) => runs.map((rs) => rs.find((r) => r.mode === mode.id && r.benchmark === bench)!);
  const calls = pick('call-4args');
  const empties = pick('empty');
  const medians = calls.map((r) => r.stats!.median);
  // CI calibration: does run i's CI contain the median of the other runs' medians?
  let holds = 0;
  for (let i = 0; i < calls.length; i++) {
    const m = median(medians.filter((_, j) => j !== i));
    if (calls[i]!.stats!.ciLow <= m && m <= calls[i]!.stats!.ciHigh) holds++;
  }
  const wall = [...calls, ...empties].reduce((s, r) => s + r.wallMs, 0) / (calls.length + empties.length) / 1000;
  const emptyNs = Math.max(...empties.map((r) => Math.abs(r.stats!.median)));
  const theirs = timeits.flatMap((t) => t.get(mode.id)!);
  // timeit's own run-to-run spread, on the figure it prints (best), one invocation per run like ours.
  const timeitSpread = spreadOf(timeits.map((t) => t.get(mode.id)![0]!.best));
  precision.push([
    mode.id,
    medians.map((m) => m.toFixed(2)).join(' '),
    pct(spreadOf(medians)),
    pct(timeitSpread),
    pct(drift.get(mode.id)!),
    `${holds}/${calls.length}`,
    `${wall.toFixed(2)} s`,
    `${emptyNs.toFixed(2)} ns`,
  ]);
  // Our median against timeit's median repeat and against the figure timeit
  // prints (its best repeat), each the median over all timeit invocations.
  // Our own minimum is not compared: over 60+ samples it is an extreme value.
  const ours = median(medians);
  const ref = { median: median(theirs.map((t) => t.median)), best: median(theirs.map((t) => t.best)) };
  honesty.push([
    mode.id,
    formatNs(ours),
    `${formatNs(ref.median)} / ${formatNs(ref.best)}`,
    `${pct(ours / ref.median - 1)} / ${pct(ours / ref.best - 1)}`,
  ]);
}

// Each mode against the first, run by run: the figure a GIL/no-GIL comparison
// reports, with how often one run's ratio CI holds the median of the others' ratios.
const ratioRows: string[][] = modes.slice(1).map((mode) => {
  const comparisons = runs.map((rs) => {
    const call = (id: string) => rs.find((r) => r.mode === id && r.benchmark === 'call-4args')!;
    return compareResults(call(modes[0]!.id), call(mode.id));
  });
  const ratios = comparisons.map((c) => c.ratio!);
  const holds = comparisons.filter((c, i) => {
    const others = median(ratios.filter((_, j) => j !== i));
    return c.ciLow! <= others && others <= c.ciHigh!;
  }).length;
  return [
    `${mode.id} / ${modes[0]!.id}`,
    ratios.map((r) => r.toFixed(3)).join(' '),
    pct(spreadOf(ratios)),
    `${holds}/${comparisons.length}`,
  ];
});

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ');
  console.log([line(header), ...rows.map(line)].join('\n'));
}

console.log(`\nharness precision (${repeats} runs, profile ${values.profile}, selftest)\n`);
printTable(
  [
    'mode',
    '4-arg call medians (ns)',
    'spread',
    'timeit spread',
    'machine floor',
    'CI holds others',
    'wall/case',
    '|empty body|',
  ],
  precision,
);
console.log(
  `\nspread: max/min - 1 of the ${repeats} medians; timeit spread: the same for the figure timeit prints;` +
    '\nmachine floor: the spread of case-long windows of one loop in one process (machine_drift.py, 30 s)',
);
console.log('\nratio between modes, each run measuring the modes interleaved\n');
printTable(['ratio', '4-arg call ratios', 'spread', 'CI holds others'], ratioRows);
console.log(`\nagreement with python -m timeit (${TIMEITS_PER_RUN * repeats} invocations, net of its \`pass\`)\n`);
printTable(['mode', 'gilbench median', 'timeit median repeat / best repeat', 'difference'], honesty);
