/**
 * `npm run bench:harness`: how far the harness's own figures can be trusted.
 *
 * - precision: the selftest 4-argument call, 5 runs with a profile (default:
 *   `default`), per mode: spread of the reported median (max/min - 1);
 * - cost: wall time per case per mode;
 * - honesty: the empty body after loop-cost subtraction, and the 4-argument
 *   call against `python -m timeit` with timeit's own loop cost taken out the
 *   same way (the `pass` statement timed by timeit);
 * - CI calibration: how often one run's 95% CI holds the median of the others.
 *
 * Usage: npm run bench:harness [-- --repeats 5 --profile default --modes gil,nogil,ft-gil]
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { parseModes } from '../run/cli.ts';
import { runBenchmarks } from '../run/runner.ts';
import type { Mode, Result } from '../schema.ts';
import { formatNs } from '../stats/index.ts';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '5' },
    profile: { type: 'string', default: 'default' },
    modes: { type: 'string', default: 'gil,nogil,ft-gil' },
  },
});
const repeats = Number(values.repeats);
const modeNames = parseModes(values.modes.split(','));

/** `python -m timeit -v` in the given mode: best and median time per loop in ns over 15 repeats. */
function timeit(mode: Mode, stmt: string, setup: string): { best: number; median: number } {
  const env = { ...process.env, ...mode.env };
  if (!('PYTHON_GIL' in mode.env)) delete env.PYTHON_GIL;
  const out = execFileSync(mode.runtime.executable, ['-m', 'timeit', '-v', '-r', '15', '-s', setup, stmt], {
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

const runs: Result[][] = [];
// timeit runs right after each of our runs, so both see the same machine
// conditions (a shared machine's load drifts over minutes).
const timeits: Map<string, { call: { best: number; median: number }; empty: { best: number; median: number } }>[] = [];
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
  timeits.push(
    new Map(
      modes.map((mode) => [
        mode.id,
        { call: timeit(mode, 'f(1, 2, 3, 4)', 'def f(a, b, c, d): return a'), empty: timeit(mode, 'pass', 'pass') },
      ]),
    ),
  );
  process.stderr.write(`run ${i + 1}/${repeats} done\n`);
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
console.log(`\nharness precision (${repeats} runs, profile ${values.profile}, selftest)\n`);
console.log(
  'mode                      4-arg call medians (ns)                 spread   CI holds others   wall/case   empty body   timeit net (med/best)   vs timeit (med/best)',
);
for (const mode of modes) {
  const pick = (bench: string) => runs.map((rs) => rs.find((r) => r.mode === mode.id && r.benchmark === bench)!);
  const calls = pick('call-4args');
  const empties = pick('empty');
  const medians = calls.map((r) => r.stats!.median);
  const spread = Math.max(...medians) / Math.min(...medians) - 1;
  // CI calibration: does run i's CI contain the median of the other runs' medians?
  let holds = 0;
  for (let i = 0; i < calls.length; i++) {
    const others = medians.filter((_, j) => j !== i).sort((a, b) => a - b);
    const m =
      others.length % 2
        ? others[(others.length - 1) / 2]!
        : (others[others.length / 2 - 1]! + others[others.length / 2]!) / 2;
    if (calls[i]!.stats!.ciLow <= m && m <= calls[i]!.stats!.ciHigh) holds++;
  }
  const wall = [...calls, ...empties].reduce((s, r) => s + r.wallMs, 0) / (calls.length + empties.length) / 1000;
  const emptyNs = Math.max(...empties.map((r) => Math.abs(r.stats!.median)));
  const middle = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const netMedian = middle(timeits.map((t) => t.get(mode.id)!.call.median - t.get(mode.id)!.empty.median));
  const netBest = Math.min(...timeits.map((t) => t.get(mode.id)!.call.best - t.get(mode.id)!.empty.best));
  const ours = middle(medians);
  // Best against best too: our fastest sample, net of its loop cost.
  const oursBest = Math.min(...calls.map((r) => r.stats!.min));
  console.log(
    [
      mode.id.padEnd(24),
      medians
        .map((m) => m.toFixed(2))
        .join(' ')
        .padEnd(40),
      pct(spread).padStart(7),
      `${holds}/${calls.length}`.padStart(16),
      `${wall.toFixed(2)} s`.padStart(11),
      `|${emptyNs.toFixed(2)}| ns`.padStart(12),
      `${formatNs(netMedian)} / ${formatNs(netBest)}`.padStart(22),
      `${pct(ours / netMedian - 1)} / ${pct(oursBest / netBest - 1)}`.padStart(19),
    ].join(' '),
  );
}
