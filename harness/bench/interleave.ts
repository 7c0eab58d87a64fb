/**
 * `npm run bench:interleave`: why the modes of a case are measured together.
 *
 * The selftest 4-argument call in gil and nogil, `--repeats` times each way,
 * the two ways alternating so both see the same stretch of machine time:
 * sequential (one mode after the other, as gilbench did first) and
 * interleaved (sample by sample, as `gilbench run` does). Prints the
 * nogil/gil ratio of each repeat and its spread and relative SD.
 *
 * Usage: npm run bench:interleave [-- --repeats 10 --profile default]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { discoverRuntimes } from '../runtimes/discover.ts';
import { resolveModes } from '../runtimes/modes.ts';
import { measureCase, measureCaseInModes } from '../sampling/measure.ts';
import { getProfile } from '../sampling/profiles.ts';
import type { Result } from '../schema.ts';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '10' },
    profile: { type: 'string', default: 'default' },
  },
});
const repeats = Number(values.repeats);
const modes = resolveModes(['gil', 'nogil'], await discoverRuntimes());
const file = fileURLToPath(new URL('../../suites/selftest/suite.py', import.meta.url));
const spec = { suite: 'selftest', file, benchmark: 'call-4args', params: {}, profile: getProfile(values.profile) };
const ratio = ([gil, nogil]: Result[]) => nogil!.stats!.median / gil!.stats!.median;

const ratios = { sequential: [] as number[], interleaved: [] as number[] };
for (let i = 0; i < repeats; i++) {
  const sequential: Result[] = [];
  for (const mode of modes) sequential.push(await measureCase({ ...spec, mode }));
  ratios.sequential.push(ratio(sequential));
  ratios.interleaved.push(ratio(await measureCaseInModes({ ...spec, modes })));
  process.stderr.write(`repeat ${i + 1}/${repeats} done\n`);
}
console.log(`\nnogil/gil ratio of the selftest 4-argument call, ${repeats} repeats, profile ${values.profile}\n`);
for (const [way, v] of Object.entries(ratios)) {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
  const spread = Math.max(...v) / Math.min(...v) - 1;
  console.log(
    `${way.padEnd(12)} ${v.map((x) => x.toFixed(3)).join(' ')}   spread ${(spread * 100).toFixed(2)}%   sd ${((sd / mean) * 100).toFixed(2)}%`,
  );
}
