import { describe, expect, it } from 'vitest';
import { createProgressDisplay } from './progress.ts';

function recorder(isTTY: boolean) {
  const chunks: string[] = [];
  return { out: { isTTY, write: (text: string) => chunks.push(text) }, chunks };
}

describe('createProgressDisplay', () => {
  it('prints plain lines when the output is not a terminal', () => {
    let clock = 0;
    const { out, chunks } = recorder(false);
    const display = createProgressDisplay(out, () => clock);
    display.onEvent({ type: 'phase', variant: 'default', phase: 'configure' });
    clock = 35_000;
    display.onEvent({ type: 'phase', variant: 'default', phase: 'make' });
    for (let compiled = 1; compiled <= 100; compiled++) {
      display.onEvent({ type: 'objects', variant: 'default', compiled, expected: 100 });
    }
    clock = 200_000;
    display.onEvent({ type: 'variant-done', variant: 'default', prefix: '/c/default' });
    display.stop();
    expect(chunks.join('')).toBe(
      [
        'default configure...',
        'default configure done in 0:35',
        'default make...',
        'default make: 25/~100 objects',
        'default make: 50/~100 objects',
        'default make: 75/~100 objects',
        'default make done in 2:45',
        'default installed in /c/default',
        '',
      ].join('\n'),
    );
  });

  it('keeps one live status line on a terminal, with elapsed time and the share of objects', () => {
    let clock = 0;
    const { out, chunks } = recorder(true);
    const display = createProgressDisplay(out, () => clock);
    display.onEvent({ type: 'phase', variant: 'freethreaded', phase: 'make' });
    clock = 61_000;
    display.onEvent({ type: 'objects', variant: 'freethreaded', compiled: 177, expected: 354 });
    display.onEvent({ type: 'note', text: 'hello' });
    display.stop();
    const text = chunks.join('');
    expect(text).toContain('\r\x1b[Kfreethreaded make  1:01  objects 177/~354 (50%)  [total 1:01]');
    expect(text).toContain('\r\x1b[Khello\n');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('shows the PGO training run of a release build as tests done, and the second compile pass goes on counting', () => {
    let clock = 0;
    const { out, chunks } = recorder(false);
    const display = createProgressDisplay(out, () => clock);
    display.onEvent({ type: 'phase', variant: 'default', phase: 'make' });
    display.onEvent({ type: 'objects', variant: 'default', compiled: 100, expected: 200 });
    display.onEvent({ type: 'phase', variant: 'default', phase: 'train' });
    for (let done = 1; done <= 20; done++) {
      display.onEvent({ type: 'training', variant: 'default', done, total: 20, test: `test_${done}` });
    }
    clock = 60_000;
    display.onEvent({ type: 'phase', variant: 'default', phase: 'make' });
    display.onEvent({ type: 'objects', variant: 'default', compiled: 150, expected: 200 });
    display.stop();
    const text = chunks.join('');
    expect(text).toContain('default train: 2/20 tests (test_2)\n');
    expect(text).toContain('default train: 20/20 tests (test_20)\n');
    expect(text).toContain('default train done in 1:00\n');
    // 150 of 200 is the third quarter, reached in the second pass.
    expect(text).toContain('default make: 150/~200 objects\n');
    expect(text.match(/default train: /g)).toHaveLength(10);
  });
});
