/**
 * parseRunDocument gives zod's own verdict, data and issues on every
 * document: valid ones, bad samples of every kind, and documents broken
 * elsewhere (so the fast path never hides an issue).
 */
import { describe, expect, it } from 'vitest';
import { RunDocument } from '../../harness/schema.ts';
import { fixtureMachine, fixtureRun } from '../test-support/index.ts';
import { parseRunDocument, validSamples } from './run-document.ts';

const valid = JSON.parse(
  JSON.stringify(fixtureRun({ machine: fixtureMachine(1), seed: 3, startedAt: new Date('2025-05-01T02:00:00Z') })),
) as Record<string, unknown> & { results: Array<Record<string, unknown> & { samples: unknown[] }> };

/** The document with one change made to a deep copy. */
function changed(edit: (doc: typeof valid) => void): unknown {
  const doc = structuredClone(valid);
  edit(doc);
  return doc;
}

function expectSameAsZod(value: unknown) {
  const fast = parseRunDocument(value);
  const zod = RunDocument.safeParse(value);
  expect(fast.success).toBe(zod.success);
  if (zod.success) expect(fast.data).toEqual(zod.data);
  else expect(fast.error!.issues).toEqual(zod.error.issues);
  return fast;
}

describe('validSamples', () => {
  it.each([
    [[], true],
    [[1, 2.5, 1e300, Number.MIN_VALUE], true],
    [[0], false],
    [[-1], false],
    [[Number.NaN], false],
    [[Number.POSITIVE_INFINITY], false],
    [['1'], false],
    [[null], false],
    [[BigInt(1)], false],
    [[[1]], false],
    [new Array(3), false], // holes
    ['1,2', false],
    [{ length: 1, 0: 1 }, false],
    [null, false],
  ])('%# -> %s', (value, expected) => {
    expect(validSamples(value)).toBe(expected);
  });

  it('refuses more than 100,000 samples, as the schema does', () => {
    expect(validSamples(new Array(100_000).fill(1))).toBe(true);
    expect(validSamples(new Array(100_001).fill(1))).toBe(false);
  });
});

describe('parseRunDocument: the same verdict, data and issues as RunDocument.safeParse', () => {
  it('accepts a valid document with its samples, as zod returns it', () => {
    const parsed = expectSameAsZod(valid);
    expect(parsed.data!.results[4]!.samples).toEqual(valid.results[4]!.samples);
  });

  it.each<[string, (doc: typeof valid) => void]>([
    [
      'a zero sample',
      (d) => {
        d.results[1]!.samples[2] = 0;
      },
    ],
    [
      'a negative sample',
      (d) => {
        d.results[0]!.samples[0] = -3;
      },
    ],
    [
      'an infinite sample',
      (d) => {
        d.results[7]!.samples[5] = Number.POSITIVE_INFINITY;
      },
    ],
    [
      'a string sample',
      (d) => {
        d.results[7]!.samples[5] = '5';
      },
    ],
    [
      'samples not an array',
      (d) => {
        d.results[3]!.samples = { 0: 1 } as unknown as unknown[];
      },
    ],
    [
      'samples missing',
      (d) => {
        delete (d.results[3] as Partial<(typeof d.results)[0]>).samples;
      },
    ],
    [
      'too many samples',
      (d) => {
        d.results[3]!.samples = new Array(100_001).fill(1);
      },
    ],
    [
      'a bad sample and a bad profile',
      (d) => {
        d.results[2]!.samples[0] = -1;
        d.profile = 7;
      },
    ],
    [
      'a bad profile (samples fine)',
      (d) => {
        d.profile = 'not allowed!';
      },
    ],
    [
      'a result that is not an object',
      (d) => {
        d.results[2] = 5 as unknown as (typeof d.results)[0];
      },
    ],
    [
      'a result that is null',
      (d) => {
        d.results[2] = null as unknown as (typeof d.results)[0];
      },
    ],
    [
      'results not an array',
      (d) => {
        d.results = 'x' as unknown as typeof d.results;
      },
    ],
    [
      'a bad stats field',
      (d) => {
        (d.results[0]!.stats as { n: number }).n = -1;
      },
    ],
    [
      'an unknown key (stripped)',
      (d) => {
        d.results[0]!.extra = 1;
      },
    ],
  ])('%s', (_name, edit) => {
    expectSameAsZod(changed(edit));
  });

  it.each([null, 1, 'x', [], {}, [valid]])('a value that is no document: %j', (value) => {
    expect(expectSameAsZod(value).success).toBe(false);
  });

  it('leaves the value given unchanged', () => {
    const doc = structuredClone(valid);
    parseRunDocument(doc);
    expect(doc).toEqual(valid);
  });
});
