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

describe('createAnswerWarmer()', () => {
  it('runs one task at a time and skips offers past maxPending', async () => {
    const warmer = createAnswerWarmer({ maxPending: 2 });
    const started: string[] = [];
    const a = gate(started, 'a');
    const b = gate(started, 'b');
    expect(warmer.offer(a.task)).toBe(true);
    expect(warmer.offer(b.task)).toBe(true);
    expect(warmer.offer(async () => void started.push('c'))).toBe(false);
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual(['a']);
    expect(warmer.pending()).toBe(2);
    a.release();
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual(['a', 'b']);
    b.release();
    await warmer.close();
    expect(warmer.pending()).toBe(0);
  });

  it('drops a task whose turn comes while the pool is busy, and logs a failed one', async () => {
    let busy = false;
    const lines: string[] = [];
    const warmer = createAnswerWarmer({ busy: () => busy, log: (line) => lines.push(line), patienceMs: 0 });
    const started: string[] = [];
    const first = gate(started, 'first');
    warmer.offer(first.task);
    warmer.offer(async () => void started.push('second'));
    warmer.offer(() => Promise.reject(new Error('pool closed')));
    await new Promise((r) => setTimeout(r, 0));
    busy = true; // a reader's comparison arrived while the first ran
    first.release();
    await new Promise((r) => setTimeout(r, 0));
    busy = false;
    warmer.offer(() => Promise.reject(new Error('pool closed')));
    while (warmer.pending() > 0) await new Promise((r) => setTimeout(r, 1));
    await warmer.close();
    expect(started).toEqual(['first']);
    expect(lines).toEqual([expect.stringMatching(/ahead of its readers failed: pool closed/)]);
  });

  it('lets a task wait out a short busy spell, and drops it past its patience', async () => {
    let busy = true;
    const started: string[] = [];
    const warmer = createAnswerWarmer({ busy: () => busy, patienceMs: 1_000 });
    warmer.offer(async () => void started.push('waited'));
    await new Promise((r) => setTimeout(r, 120));
    expect(started).toEqual([]);
    busy = false; // the upload that offered it has finished
    while (warmer.pending() > 0) await new Promise((r) => setTimeout(r, 10));
    expect(started).toEqual(['waited']);
    busy = true;
    const impatient = createAnswerWarmer({ busy: () => busy, patienceMs: 100 });
    impatient.offer(async () => void started.push('dropped'));
    while (impatient.pending() > 0) await new Promise((r) => setTimeout(r, 10));
    expect(started).toEqual(['waited']);
    await Promise.all([warmer.close(), impatient.close()]);
  });

  it('takes nothing once closed, and checks its options', async () => {
    const warmer = createAnswerWarmer();
    await warmer.close();
    expect(warmer.offer(async () => {})).toBe(false);
    expect(() => createAnswerWarmer({ maxPending: 0 })).toThrow(RangeError);
  });
});
