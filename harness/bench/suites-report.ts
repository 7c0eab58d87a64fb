/**
 * `npm run report:suites -- RUN1.json [RUN2.json]`: the README's tables of
 * the four critical-path suites, as Markdown, from run documents written by
 *
 *   gilbench run --suite single-thread,scaling,calls,locks --mode gil,nogil,ft-gil --json RUN.json
 *
 * With two runs it also says how far each headline figure moved between them.
 */
import { readFileSync } from 'node:fs';
import { formatNs, formatRatio, formatRatioCi } from '../format/index.ts';
import { type Result, RunDocument } from '../schema.ts';
import { compareRun, type GeometricMean, type ScalingCurve, scalingCurves } from '../stats/index.ts';

const files = process.argv.slice(2).filter((a) => !a.startsWith('-'));
if (files.length === 0) {
  console.error('usage: npm run report:suites -- RUN1.json [RUN2.json]');
  process.exit(2);
}
const docs = files.map((f) => RunDocument.parse(JSON.parse(readFileSync(f, 'utf8'))));
const doc = docs[0]!;
const modeOf = (d: RunDocument, name: string) => d.modes.find((m) => m.mode === name)!.id;
const x = formatRatio;
const ci = (g: { value: number; ciLow: number; ciHigh: number }) => formatRatioCi(g.value, g.ciLow, g.ciHigh);
const table = (header: string[], rows: string[][]) =>
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
const find = (d: RunDocument, suite: string, bench: string, mode: string, params: Record<string, unknown> = {}) =>
  d.results.find(
    (r) =>
      r.suite === suite &&
      r.benchmark === bench &&
      r.mode === modeOf(d, mode) &&
      Object.entries(params).every(([k, v]) => r.params[k] === v),
  );
const ns = (r: Result | undefined) => (r?.status === 'ok' && r.stats ? formatNs(r.stats.median) : r ? r.status : '-');

interface Headlines {
  [name: string]: number;
}

function headlines(d: RunDocument): Headlines {
  const h: Headlines = {};
  const comparison = compareRun(d);
  // Geometric means only where they are the headline: per-thread times of the
  // threaded suites are read as speedups and lock costs below instead.
  for (const suite of comparison.suites.filter((s) => s.suite === 'single-thread' || s.suite === 'calls')) {
    for (const m of suite.byMode) {
      if (m.geometricMean) h[`${suite.suite} geometric mean ${m.other.mode}/gil`] = m.geometricMean.value;
    }
  }
  const curves = scalingCurves(d).filter((c) => c.suite === 'scaling');
  for (const mode of ['gil', 'nogil']) {
    const at2 = curves.filter((c) => c.mode === modeOf(d, mode)).map((c) => c.points.find((p) => p.threads === 2));
    const values = at2.filter((p) => p !== undefined).map((p) => p!.speedup);
    if (values.length)
      h[`scaling: mean speedup at 2 threads, ${mode}`] = values.reduce((a, b) => a + b, 0) / values.length;
  }
  for (const mode of ['gil', 'nogil', 'ft-gil']) {
    for (const arity of [0, 4]) {
      const r = find(d, 'calls', 'positional', mode, { arity });
      if (r?.stats) h[`calls: positional arity ${arity}, ${mode} (ns)`] = r.stats.median;
    }
    const none = find(d, 'locks', 'dict-read', mode, { threads: 1, lock: 'none', writer: false });
    const lock = find(d, 'locks', 'dict-read', mode, { threads: 1, lock: 'lock', writer: false });
    if (none?.stats && lock?.stats)
      h[`locks: Lock/no-lock dict read, 1 thread, ${mode}`] = lock.stats.median / none.stats.median;
  }
  return h;
}

// 1. single-thread overhead (time and memory)
const comparison = compareRun(doc);
const single = comparison.suites.find((s) => s.suite === 'single-thread');
if (single) {
  const byMode = (mode: string) => single.byMode.find((m) => m.other.mode === mode);
  const nogil = byMode('nogil');
  const ftgil = byMode('ft-gil');
  const rows = (nogil?.rows ?? []).map((row) => {
    const ft = ftgil?.rows.find((r) => r.caseId === row.caseId);
    const rss = (mode: string) => find(doc, 'single-thread', row.benchmark, mode)?.peakRssBytes ?? null;
    const memory = rss('gil') && rss('nogil') ? x(rss('nogil')! / rss('gil')!) : '-';
    const ratio = (c: typeof row.comparison | undefined) =>
      c?.ratio != null ? formatRatioCi(c.ratio, c.ciLow, c.ciHigh) : (c?.reason ?? '-');
    return [
      row.benchmark,
      ns(find(doc, 'single-thread', row.benchmark, 'gil')),
      ns(find(doc, 'single-thread', row.benchmark, 'nogil')),
      ns(find(doc, 'single-thread', row.benchmark, 'ft-gil')),
      ratio(row.comparison),
      ratio(ft?.comparison),
      memory,
    ];
  });
  const memoryRatios = (nogil?.rows ?? [])
    .map((row) => {
      const g = find(doc, 'single-thread', row.benchmark, 'gil')?.peakRssBytes;
      const n = find(doc, 'single-thread', row.benchmark, 'nogil')?.peakRssBytes;
      return g && n ? n / g : null;
    })
    .filter((v): v is number => v !== null);
  const memoryGeomean = Math.exp(memoryRatios.reduce((a, b) => a + Math.log(b), 0) / memoryRatios.length);
  const gm = (g: GeometricMean | null | undefined) => (g ? ci(g) : '-');
  rows.push([
    '**geometric mean**',
    '',
    '',
    '',
    `**${gm(nogil?.geometricMean)}**`,
    `**${gm(ftgil?.geometricMean)}**`,
    `**${x(memoryGeomean)}**`,
  ]);
  console.log('### single-thread: time per iteration (median) and ratios to gil with 95% CIs; peak RSS nogil/gil\n');
  console.log(table(['kernel', 'gil', 'nogil', 'ft-gil', 'nogil/gil', 'ft-gil/gil', 'RSS nogil/gil'], rows));
}

// 2. scaling: speedup at each thread count per workload and mode
const curves = scalingCurves(doc).filter((c) => c.suite === 'scaling');
if (curves.length) {
  const top = Math.max(...curves.flatMap((c) => c.points.map((p) => p.threads)));
  const workloads = [...new Set(curves.map((c) => c.benchmark))];
  const at = (c: ScalingCurve | undefined, n: number) => {
    const p = c?.points.find((q) => q.threads === n);
    return p ? x(p.speedup) : '-';
  };
  // A speedup whose 1- or N-thread result was taken while other processes used the machine.
  const busy = (w: string, mode: string) =>
    doc.results.some(
      (r) =>
        r.suite === 'scaling' &&
        r.benchmark === w &&
        r.mode === modeOf(doc, mode) &&
        (r.params.threads === 1 || r.params.threads === top) &&
        r.warnings.some((warning) => warning.code === 'machine-busy'),
    );
  const rows = workloads.map((w) => {
    const of = (mode: string) => curves.find((c) => c.benchmark === w && c.mode === modeOf(doc, mode));
    const cell = (mode: string) => `${at(of(mode), top)}${busy(w, mode) ? ' †' : ''}`;
    return [w, cell('gil'), cell('nogil'), cell('ft-gil')];
  });
  console.log(`\n### scaling: weak-scaling speedup N·T(1)/T(N) at N = ${top} (ideal ${formatRatio(top)})\n`);
  console.log(table(['workload', 'gil', 'nogil', 'ft-gil'], rows));
  if (workloads.some((w) => ['gil', 'nogil', 'ft-gil'].some((m) => busy(w, m)))) {
    console.log('\n† flagged `machine-busy`: other processes used the machine while this was measured.');
  }
}

// 3. calls: ns per call at arity 0, 2, 4
{
  const rows = [0, 2, 4].map((arity) => [
    String(arity),
    ...['gil', 'nogil', 'ft-gil'].map((m) => ns(find(doc, 'calls', 'positional', m, { arity }))),
    ['47 ns', '54 ns', '63 ns'][arity / 2]!,
    ['10 ns', '14 ns', '18 ns'][arity / 2]!,
  ]);
  console.log('\n### calls: ns per positional call by arity (loop cost subtracted)\n');
  console.log(
    table(
      ['arity', 'gil (3.13.5)', 'nogil (3.13.5t)', 'ft-gil (3.13.5t)', '3.11 in Gross 2021*', 'nogil in Gross 2021*'],
      rows,
    ),
  );
  console.log(
    '\n\\* The figures Sam Gross gave when he announced nogil in 2021 (nogil against 3.11), measured on his machine: a shape to compare against, not numbers from this one.',
  );
}

// 4. locks: ns per read per thread, lock against no lock
{
  const threadCounts = [
    ...new Set(doc.results.filter((r) => r.suite === 'locks').map((r) => r.params.threads as number)),
  ];
  const rows: string[][] = [];
  const structures = new Set(doc.results.filter((r) => r.suite === 'locks').map((r) => r.benchmark));
  for (const structure of ['dict-read', 'list-read', 'attr-read', 'global-read'].filter((s) => structures.has(s))) {
    for (const writer of [false, true]) {
      for (const threads of threadCounts) {
        rows.push([
          `${structure}${writer ? ' + writer' : ''}`,
          String(threads),
          ...['gil', 'nogil'].flatMap((m) =>
            ['none', 'lock', 'rlock', 'private'].map((lock) =>
              ns(find(doc, 'locks', structure, m, { threads, lock, writer })),
            ),
          ),
        ]);
      }
    }
  }
  console.log('\n### locks: ns per read per thread (median)\n');
  console.log(
    table(
      [
        'read',
        'threads',
        'gil none',
        'gil Lock',
        'gil RLock',
        'gil private',
        'nogil none',
        'nogil Lock',
        'nogil RLock',
        'nogil private',
      ],
      rows,
    ),
  );
}

// 5. how far the headlines moved between runs, and the wall time
const all = docs.map(headlines);
const names = Object.keys(all[0]!);
console.log(`\n### headline figures${docs.length > 1 ? ' in both runs, and how far they moved' : ''}\n`);
console.log(
  table(
    ['figure', ...docs.map((_, i) => `run ${i + 1}`), ...(docs.length > 1 ? ['moved'] : [])],
    names.map((n) => {
      const values = all.map((h) => h[n]);
      const moved =
        docs.length > 1 && values[0] && values[1] ? `${(((values[1] - values[0]) / values[0]) * 100).toFixed(1)}%` : '';
      return [n, ...values.map((v) => (v === undefined ? '-' : v.toFixed(3))), ...(docs.length > 1 ? [moved] : [])];
    }),
  ),
);
const busyCases = docs.map((d) =>
  d.results.filter((r) => r.warnings.some((w) => w.code === 'machine-busy')).map((r) => `${r.suite}/${r.benchmark}`),
);
console.log(
  `\nflagged machine-busy: ${busyCases.map((cases, i) => `run ${i + 1}: ${cases.length} results${cases.length ? ` (${[...new Set(cases)].join(', ')})` : ''}`).join('; ')}`,
);
const wall = docs.map((d) => (Date.parse(d.finishedAt) - Date.parse(d.startedAt)) / 60_000);
const invalid = docs.flatMap((d) => d.results.filter((r) => r.status !== 'ok'));
console.log(
  `\nwall time: ${wall.map((w) => `${w.toFixed(1)} min`).join(', ')}; results: ${docs.map((d) => d.results.length).join(', ')}; not ok: ${invalid.length}${invalid.length ? ` (${invalid.map((r) => `${r.suite}/${r.benchmark} ${JSON.stringify(r.params)} ${r.mode}: ${r.status}`).join('; ')})` : ''}`,
);
