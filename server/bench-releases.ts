/**
 * `npm run report:releases -- OLD.json … NEW.json …`: what moved between two
 * CPython releases, and what the detector said when the newer release's runs
 * followed a history of the older one's. The run documents (from
 * `gilbench run --runtime 3.13.5 --json …`) go, in the order given, through
 * the server's own ingest and detector into a temporary SQLite database, as
 * an agent's uploads would.
 *
 * Prints, as markdown: per suite and mode kind, the geometric mean of the
 * newer/older time ratios with its 95% CI (the last run on each release that
 * holds the suite), the cases that moved significantly by 5% or more, and
 * the changes the detector found, split by whether they sit at the runtime
 * change.
 *
 * @example npm run report:releases -- r05-1.json st05-2.json … r15-1.json st15-2.json
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPercent, formatRatioCi, formatRuntimeChange } from '../harness/format/index.ts';
import { RunDocument } from '../harness/schema.ts';
import { compareSides } from './compare.ts';
import { createDetection } from './detection.ts';
import { createDetector } from './detector/detector.ts';
import { createServices } from './services/index.ts';
import { openStore } from './store/open.ts';

const files = process.argv.slice(2).filter((a) => a !== '--');
if (files.length < 2) {
  process.stderr.write('usage: npm run report:releases -- OLD-RUN.json … NEW-RUN.json … (in the order they ran)\n');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'gilbench-releases-'));
const services = createServices(await openStore(join(dir, 'releases.db')));
try {
  const detection = createDetection({ repo: services, detector: createDetector() });
  const docs: RunDocument[] = [];
  for (const [i, file] of files.entries()) {
    const doc = RunDocument.parse(JSON.parse(readFileSync(file, 'utf8')));
    docs.push(doc);
    const outcome = await services.ingestRun(doc, { uploadedBy: null, now: Date.now() });
    if (outcome.created) await detection.afterIngest(outcome.seriesIds, outcome.runPk, Date.now());
    process.stderr.write(`[${i + 1}/${files.length}] ${file}: ${doc.modes.map((m) => m.id).join(', ')}\n`);
  }
  const release = (doc: RunDocument) => doc.modes[0]!.runtime.version;
  const older = release(docs[0]!);
  const newer = release(docs.at(-1)!);
  const out: string[] = [];

  // What moved: per suite, the last run on each release that holds it.
  out.push(`### ${newer} against ${older}: time ratios (above 1: ${newer} slower)`, '');
  out.push('| suite | mode | runs compared | geometric mean [95% CI] | cases | moved ≥5% (significant) |');
  out.push('| --- | --- | --- | --- | --- | --- |');
  const movers: string[] = [];
  const suites = [...new Set(docs.flatMap((d) => d.suites.map((s) => s.name)))];
  for (const suite of suites) {
    const last = (version: string) =>
      docs.filter((d) => release(d) === version && d.suites.some((s) => s.name === suite)).at(-1);
    const [base, other] = [last(older), last(newer)];
    if (!base || !other) continue;
    const [baseRun, otherRun] = await Promise.all([
      services.getRun(base.id, { samples: true }),
      services.getRun(other.id, { samples: true }),
    ]);
    for (const mode of ['gil', 'nogil'] as const) {
      const side = (run: NonNullable<typeof baseRun>) => {
        const m = run.modes.find((x) => x.mode === mode)!;
        return {
          label: m.id,
          runId: run.id,
          mode: { id: m.id, mode: m.mode },
          results: run.results.filter((r) => r.mode === m.id && r.suite === suite),
        };
      };
      const view = compareSides(side(baseRun!), side(otherRun!));
      const moved = view.rows.filter(
        (r) => r.significant && r.ratio !== null && Math.abs(Math.log(r.ratio)) >= Math.log(1.05),
      );
      const g = view.geometricMean;
      const change = view.runtimeChange ? formatRuntimeChange(view.runtimeChange) : 'same runtime';
      out.push(
        `| ${suite} | ${mode} | ${change} | ${g ? formatRatioCi(g.value, g.ciLow, g.ciHigh) : '–'} | ${view.rows.length} | ${moved.length} |`,
      );
      for (const r of moved) movers.push(`| ${r.caseId} | ${mode} | ${formatRatioCi(r.ratio, r.ciLow, r.ciHigh)} |`);
    }
  }
  out.push('', `Cases that moved by 5% or more, significant (Mann-Whitney, p < 0.05):`, '');
  out.push('| case | mode | ratio [95% CI] |', '| --- | --- | --- |', ...movers);

  // What the history answers carry: a mark at the release change in every series that crossed it.
  const series = await services.listSeries({ limit: 100_000 });
  let marked = 0;
  let example = '';
  for (const s of series) {
    const changes = (await services.seriesHistory(s.id, {}))?.runtimeChanges ?? [];
    if (changes.length) marked++;
    if (changes.length && !example) example = `${s.caseId} ${s.mode}: ${formatRuntimeChange(changes[0]!)}`;
  }
  out.push(
    '',
    `History: ${marked} of ${series.length} series carry a runtime change mark (e.g. ${example || 'none'}).`,
  );

  // What the detector said.
  const found = await services.listRegressions({ limit: 5000 });
  const atChange = found.filter((r) => r.runtimeChange);
  const elsewhere = found.filter((r) => !r.runtimeChange);
  const count = (list: typeof found, kind: string) => list.filter((r) => r.kind === kind).length;
  out.push('', `### The detector, over ${docs.length} runs in this order`, '');
  out.push('| where | regressions | improvements |', '| --- | --- | --- |');
  out.push(
    `| at the runtime change (labelled with it) | ${count(atChange, 'regression')} | ${count(atChange, 'improvement')} |`,
  );
  out.push(`| elsewhere (unexplained) | ${count(elsewhere, 'regression')} | ${count(elsewhere, 'improvement')} |`);
  out.push('', '| change | case | mode | runtime | size [95% CI] |', '| --- | --- | --- | --- | --- |');
  for (const r of found)
    out.push(
      `| ${r.kind} | ${r.suite}/${r.benchmark}${r.caseKey ? `[${r.caseKey}]` : ''} | ${r.mode} | ${r.runtimeChange ? formatRuntimeChange(r.runtimeChange) : '–'} | ${formatPercent(r.change, 1)} [${formatPercent(r.changeCiLow, 1)}, ${formatPercent(r.changeCiHigh, 1)}] |`,
    );
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await services.close();
  rmSync(dir, { recursive: true, force: true });
}
