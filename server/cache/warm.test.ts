import { describe, expect, it } from 'vitest';
import { createAnswerWarmer } from './warm.ts';

/** A task that runs until released, recording that it started. */
function gate(started: string[], name: string) {
  let release = () => {};
  const done = new Promise<void>((r) => (release = r));
  const task = async () => {
    started.push(name);
    await done;
  };
  return { task, release: () => release() };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
const note = (started: string[], name: string) => async () => void started.push(name);

describe('createAnswerWarmer()', () => {
  it("runs one task at a time, a run's tasks in order; a machine's newer run replaces its waiting one", async () => {
    const warmer = createAnswerWarmer({ maxPending: 3 });
    const started: string[] = [];
    const a = gate(started, 'A1 compare');
    expect(warmer.offer([a.task, note(started, 'A1 scaling')], 'machine A')).toBe(true);
    expect(warmer.offer([note(started, 'B1 compare')], 'machine B')).toBe(true);
    expect(warmer.offer([note(started, 'B2 compare')], 'machine B')).toBe(true);
    await tick();
    expect(started).toEqual(['A1 compare']);
    // A1's scaling waits, B2 replaced B1.
    expect(warmer.pending()).toBe(3);
    a.release();
    while (warmer.pending() > 0) await tick(1);
    expect(started).toEqual(['A1 compare', 'A1 scaling', 'B2 compare']);
    await warmer.close();
  });

  it('past maxPending the oldest waiting offer gives way; the running one alone refuses', async () => {
    const warmer = createAnswerWarmer({ maxPending: 2 });
    const started: string[] = [];
    const a = gate(started, 'A');
    warmer.offer([a.task], 'A');
    warmer.offer([note(started, 'B')], 'B');
    warmer.offer([note(started, 'C')], 'C');
    a.release();
    while (warmer.pending() > 0) await tick(1);
    expect(started).toEqual(['A', 'C']);
    await warmer.close();
    const one = createAnswerWarmer({ maxPending: 1 });
    const e = gate(started, 'E');
    expect(one.offer([e.task], 'E')).toBe(true);
    await tick();
    expect(one.offer([note(started, 'F')], 'F')).toBe(false);
    e.release();
    await one.close();
  });

  it('waits while the server is busy (uploads, readers), then computes what was offered; logs a failed task', async () => {
    let busy = true;
    const lines: string[] = [];
    const started: string[] = [];
    const warmer = createAnswerWarmer({ busy: () => busy, log: (line) => lines.push(line) });
    warmer.offer([() => Promise.reject(new Error('pool closed')), note(started, 'A scaling')], 'A');
    warmer.offer([note(started, 'B compare')], 'B');
    await tick(300);
    expect(started).toEqual([]);
    expect(warmer.pending()).toBe(3);
    busy = false; // the burst of uploads is over
    while (warmer.pending() > 0) await tick(10);
    expect(started).toEqual(['A scaling', 'B compare']);
    expect(lines).toEqual([expect.stringMatching(/ahead of its readers failed: pool closed/)]);
    await warmer.close();
  });

  it('drops what waits when closed, takes nothing after, and checks its options', async () => {
    const started: string[] = [];
    const warmer = createAnswerWarmer({ busy: () => true });
    warmer.offer([note(started, 'never')], 'A');
    await warmer.close();
    expect(warmer.pending()).toBe(0);
    expect(warmer.offer([async () => {}], 'A')).toBe(false);
    expect(started).toEqual([]);
    expect(() => createAnswerWarmer({ maxPending: 0 })).toThrow(RangeError);
  });
});
