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
});
