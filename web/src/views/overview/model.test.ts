import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededApi, seededApi, viewState } from '../../../test/api.ts';
import { formatRatio } from '../../format.ts';
import { loadOverview } from './load.ts';
import { type CallRatioTable, type CallsTable, type Card, type OverviewData, overviewModel } from './model.ts';

let seeded: SeededApi;
let data: OverviewData;
beforeAll(async () => {
  seeded = await seededApi();
  data = await loadOverview(seeded.api, viewState());
});
afterAll(() => seeded?.close());

const cardOf = (cards: readonly Card[], id: string) => cards.find((c) => c.id === id)!;

describe('overview model', () => {
  it('has a section per machine, seen last first, with every headline card', () => {
    const model = overviewModel(data, viewState());
    expect(model.machines.map((m) => m.machineId).sort()).toEqual(
      [seeded.seed.machineA.id, seeded.seed.machineB.id].sort(),
    );
    const a = model.machines.find((m) => m.machineId === seeded.seed.machineA.id)!;
    expect(a.cards.map((c) => c.id)).toEqual([
      'overhead',
      'memory',
      'scaling-gil',
      'scaling',
      'worst-scaling',
      'call-overhead',
      'calls',
      'lock-cost',
      'regressions',
    ]);
    expect(a.newest).toContainEqual({ link: { view: 'history', params: { machine: a.machineId }, text: 'history →' } });
    // The suites in the server's order, each with its geometric mean.
    expect(a.chart?.bars.map((b) => b.label)).toEqual(['single-thread', 'scaling', 'calls', 'locks']);
  });

  it('reads the overhead from the single-thread suite of the newest run with gil and nogil', async () => {
    const a = overviewModel(data, viewState()).machines.find((m) => m.machineId === seeded.seed.machineA.id)!;
    const newest = seeded.seed.runsA.at(-1)!;
    const cmp = await seeded.api.compareModes(newest.id, 'cpython-3.13.5/gil', 'cpython-3.13.5t/nogil');
    const gm = cmp.suites.find((s) => s.suite === 'single-thread')!.geometricMean!;
    const card = cardOf(a.cards, 'overhead');
    expect(card.value).toBe(formatRatio(gm.value));
    expect(card.link).toMatchObject({ view: 'compare', params: { run: newest.id, suite: 'single-thread' } });
    // Read from the newest run: no "from an older run" line.
    expect(card.detail.kind === 'lines' && card.detail.lines.some((l) => l.className === 'from')).toBe(false);
  });

  it('a compare the server did not answer (busy) is said as such, not as "no case measured in both modes"', () => {
    const machineData = data.machines.find((m) => m.machine.id === seeded.seed.machineA.id)!;
    const unanswered: OverviewData = {
      machines: [
        {
          ...machineData,
          headlines: { ...machineData.headlines!, overhead: { ...machineData.headlines!.overhead!, comparison: null } },
        },
      ],
    };
    const card = cardOf(overviewModel(unanswered, viewState()).machines[0]!.cards, 'overhead');
    expect(card.value).toBe('–');
    expect(JSON.stringify(card.detail)).toContain('could not compare the modes just now');
  });

  it('states scaling against gil and the lock cost at the most threads, with their CIs', () => {
    const a = overviewModel(data, viewState()).machines.find((m) => m.machineId === seeded.seed.machineA.id)!;
    const gil = cardOf(a.cards, 'scaling-gil');
    expect(gil.title).toBe('Scaling against gil at 8 threads (nogil)');
    expect(gil.value).toMatch(/^\d+(\.\d+)?×$/);
    const lock = cardOf(a.cards, 'lock-cost');
    expect(lock.title).toBe('Lock cost (Lock ÷ lock-free read) at 4 threads (nogil)');
    const lines = lock.detail.kind === 'lines' ? lock.detail.lines.map((l) => l.text.join('')) : [];
    expect(lines[0]).toMatch(/^a Lock around a read costs \S+× under gil, \S+× under nogil$/);
    expect(lines[1]).toMatch(/^95% CI \[/);
    expect(lock.link).toMatchObject({ view: 'locks' });
    const calls = cardOf(a.cards, 'call-overhead');
    expect(
      calls.detail.kind === 'lines' && calls.detail.lines.some((l) => /^geometric mean /.test(String(l.text[0]))),
    ).toBe(true);
  });

  it('fills the calls table and the open regressions, and counts scaling at the most threads', () => {
    const a = overviewModel(data, viewState()).machines.find((m) => m.machineId === seeded.seed.machineA.id)!;
    const calls = cardOf(a.cards, 'calls').value as string | CallsTable;
    expect(typeof calls === 'string' ? [] : calls.rows.map((r) => r.mode)).toEqual(['gil', 'nogil', 'ft-gil']);
    expect(cardOf(a.cards, 'regressions').value).toBe('1');
    expect(cardOf(a.cards, 'scaling').title).toBe('Scaling efficiency at 8 threads (nogil)');
    const worst = cardOf(a.cards, 'worst-scaling').detail;
    // The scaling suite's two workloads, worst first; other threaded benchmarks only stand in without it.
    const items = worst.kind === 'list' ? worst.items : [];
    expect(items.map((item) => (item[0] as { link: { text: string } }).link.text).sort()).toEqual([
      'scaling/independent-arith',
      'scaling/shared-dict-read',
    ]);
  });

  it('states nogil/gil per call kind and arity with CIs, what each card rests on, and what each mode is', () => {
    const model = overviewModel(data, viewState());
    const a = model.machines.find((m) => m.machineId === seeded.seed.machineA.id)!;
    const card = cardOf(a.cards, 'call-overhead');
    const table = card.value as CallRatioTable;
    expect(table.arities.length).toBeGreaterThan(0);
    expect(table.rows.length).toBeGreaterThan(0);
    const cell = table.rows[0]!.cells.find((c) => c.text !== '–')!;
    expect(cell.text).toMatch(/^[\d.]+×$/);
    expect(cell.title).toMatch(/^95% CI \[[\d.]+, [\d.]+\]: nogil is /);
    expect(cardOf(a.cards, 'overhead').context).toMatch(
      /^cpython-3\.13\.5 \(default build\) vs cpython-3\.13\.5t \(free-threaded\).* · profile \w+ · \d+ of \d+ results unstable/,
    );
    expect(model.modes.map((m) => m.mode)).toEqual(['gil', 'nogil', 'nogil-forced', 'ft-gil']);
  });

  it('says where a headline comes from when the newest run did not measure it', () => {
    const a = data.machines.find((m) => m.machine.id === seeded.seed.machineA.id)!;
    const newer = { ...a.machine, latestRun: { ...a.machine.latestRun!, id: 'a-newer-run' } };
    const section = overviewModel({ machines: [{ ...a, machine: newer }] }, viewState()).machines[0]!;
    const detail = cardOf(section.cards, 'overhead').detail;
    expect(detail.kind === 'lines' && detail.lines.find((l) => l.className === 'from')?.text[2]).toBe(
      ', the newest run with the single-thread suite',
    );
  });

  it('advises what to measure when a machine has no run, and when there is no machine', () => {
    const a = data.machines[0]!;
    const bare = overviewModel(
      { machines: [{ machine: { ...a.machine, latestRun: null }, headlines: null }] },
      viewState(),
    );
    expect(bare.machines[0]!.empty?.title).toBe('This machine has no run yet.');
    const empty = { overhead: null, scaling: null, calls: null };
    const cards = overviewModel({ machines: [{ ...a, headlines: empty }] }, viewState()).machines[0]!.cards;
    expect(cards.map((c) => [c.id, c.value])).toEqual([
      ['overhead', '–'],
      ['memory', '–'],
      ['scaling', '–'],
      ['call-overhead', '–'],
      ['calls', '–'],
      ['lock-cost', '–'],
      ['regressions', String(a.machine.openRegressions)],
    ]);
    expect(overviewModel({ machines: [] }, viewState()).noMachine?.title).toBe('No runs yet.');
  });
});
