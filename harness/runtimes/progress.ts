/**
 * The install progress display: a live status line on a terminal (phase,
 * elapsed time, compiled objects against the expected count), plain lines
 * otherwise (logs, CI).
 */
import type { Variant } from './cache.ts';
import type { InstallEvent, InstallPhase } from './install.ts';

export interface ProgressDisplay {
  onEvent(event: InstallEvent): void;
  /** Finish the status line; call once the install returned or threw. */
  stop(): void;
}

interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * A display for `installRuntime`'s events.
 * @example
 * const display = createProgressDisplay(process.stdout);
 * try { await installRuntime('cpython@3.13', { onEvent: display.onEvent }); } finally { display.stop(); }
 */
export function createProgressDisplay(out: Output = process.stdout, now: () => number = Date.now): ProgressDisplay {
  const live = Boolean(out.isTTY);
  const started = now();
  let current: { variant: Variant | null; phase: InstallPhase; since: number } | null = null;
  let objects: { compiled: number; expected: number } | null = null;
  let training: { done: number; total: number; test: string } | null = null;
  let lastQuarter = 0;
  let timer: NodeJS.Timeout | null = null;

  const label = (variant: Variant | null, phase: InstallPhase) => (variant ? `${variant} ${phase}` : phase);
  const statusLine = () => {
    if (!current) return '';
    let text = `${label(current.variant, current.phase)}  ${clock(now() - current.since)}`;
    if (current.phase === 'make' && objects) {
      const percent = Math.min(99, Math.floor((100 * objects.compiled) / objects.expected));
      text += `  objects ${objects.compiled}/~${objects.expected} (${percent}%)`;
    }
    if (current.phase === 'train' && training) text += `  tests ${training.done}/${training.total} ${training.test}`;
    return `${text}  [total ${clock(now() - started)}]`;
  };
  const redraw = () => out.write(`\r\x1b[K${statusLine()}`);
  const finishPhase = () => {
    if (!current) return;
    const line = `${label(current.variant, current.phase)} done in ${clock(now() - current.since)}`;
    out.write(live ? `\r\x1b[K${line}\n` : `${line}\n`);
    current = null;
  };

  return {
    onEvent(event) {
      switch (event.type) {
        case 'phase':
          finishPhase();
          current = { variant: event.variant, phase: event.phase, since: now() };
          // A release build's make goes on after training: its object count carries over.
          if (event.phase !== 'make' && event.phase !== 'train') objects = null;
          training = null;
          lastQuarter = event.phase === 'make' && objects ? Math.floor((4 * objects.compiled) / objects.expected) : 0;
          if (live) {
            redraw();
            timer ??= setInterval(redraw, 1000);
            timer.unref();
          } else {
            out.write(`${label(event.variant, event.phase)}...\n`);
          }
          break;
        case 'objects': {
          objects = { compiled: event.compiled, expected: event.expected };
          if (live) break;
          // Plain output: a line at each quarter of the expected objects, not one per file.
          const quarter = Math.floor((4 * event.compiled) / event.expected);
          if (quarter > lastQuarter && quarter < 4) {
            lastQuarter = quarter;
            out.write(`${label(event.variant, 'make')}: ${event.compiled}/~${event.expected} objects\n`);
          }
          break;
        }
        case 'training': {
          training = { done: event.done, total: event.total, test: event.test };
          if (live) break;
          // Plain output: a line every tenth of the training run.
          const step = Math.max(1, Math.round(event.total / 10));
          if (event.done % step === 0 || event.done === event.total) {
            out.write(`${label(event.variant, 'train')}: ${event.done}/${event.total} tests (${event.test})\n`);
          }
          break;
        }
        case 'variant-done':
          finishPhase();
          out.write(`${event.variant} installed in ${event.prefix}\n`);
          break;
        case 'note':
          if (live) out.write('\r\x1b[K');
          out.write(`${event.text}\n`);
          if (live && current) redraw();
          break;
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (live && current) out.write('\n');
      current = null;
    },
  };
}

/** m:ss (or h:mm:ss) of a duration in milliseconds. */
function clock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
