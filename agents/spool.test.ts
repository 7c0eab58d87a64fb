import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleRun, tempDir } from '../harness/test-support/index.ts';
import { openSpool } from './spool.ts';

let dir: string;
let remove: () => void;
let warnings: string[];
beforeEach(() => {
  ({ dir, remove } = tempDir('gilbench-spool-'));
  warnings = [];
});
afterEach(() => remove());

const open = () => openSpool(dir, { onWarning: (w) => warnings.push(w) });

describe('spool', () => {
  it('keeps a run under its id and gives it back intact', () => {
    const spool = open();
    const doc = sampleRun();
    const file = spool.put(doc);
    expect(path.basename(file)).toBe(`${doc.id}.json`);
    expect(readdirSync(dir)).toEqual([`${doc.id}.json`]); // no temporary file left over
    expect(spool.list().map((e) => e.doc)).toEqual([doc]);
    expect(spool.size()).toBe(1);
  });

  it('stores a run spooled twice once', () => {
    const spool = open();
    const doc = sampleRun();
    spool.put(doc);
    spool.put(doc);
    expect(spool.list()).toHaveLength(1);
  });

  it('lists the oldest run first', () => {
    const spool = open();
    const late = sampleRun({ startedAt: '2026-03-02T00:00:00.000Z' });
    const early = sampleRun({ startedAt: '2026-03-01T00:00:00.000Z' });
    spool.put(late);
    spool.put(early);
    expect(spool.list().map((e) => e.id)).toEqual([early.id, late.id]);
  });

  it('refuses to spool a document that breaks the schema, and writes nothing', () => {
    const spool = open();
    expect(() => spool.put({ ...sampleRun(), schema: 'other' } as never)).toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('sets a corrupt file aside with a warning and still returns the others', () => {
    const spool = open();
    const good = sampleRun();
    spool.put(good);
    const truncatedId = '00000000-0000-4000-8000-000000000001';
    writeFileSync(path.join(dir, `${truncatedId}.json`), JSON.stringify(sampleRun()).slice(0, 100));
    const wrongShapeId = '00000000-0000-4000-8000-000000000002';
    writeFileSync(
      path.join(dir, `${wrongShapeId}.json`),
      JSON.stringify({ ...sampleRun(), id: wrongShapeId, results: 'x' }),
    );
    writeFileSync(path.join(dir, 'notes.txt'), 'hello');

    expect(spool.list().map((e) => e.id)).toEqual([good.id]);
    expect(warnings).toHaveLength(3);
    expect(warnings.join('\n')).toContain(truncatedId);
    const corrupt = readdirSync(path.join(dir, 'corrupt'));
    expect(corrupt).toHaveLength(3);
    // Set aside, not deleted: the bytes are still there for a human to look at.
    const kept = corrupt.find((name) => name.startsWith(truncatedId))!;
    expect(readFileSync(path.join(dir, 'corrupt', kept), 'utf8')).toHaveLength(100);
    // Nothing to warn about the second time.
    expect(spool.list()).toHaveLength(1);
    expect(warnings).toHaveLength(3);
  });

  it('sets aside a file whose name and content disagree about the run id', () => {
    const spool = open();
    const doc = sampleRun();
    writeFileSync(path.join(dir, '00000000-0000-4000-8000-00000000000a.json'), JSON.stringify(doc));
    expect(spool.list()).toEqual([]);
    expect(warnings[0]).toContain(doc.id);
  });

  it('removes a run, and moves a refused one to rejected/ with the reason', () => {
    const spool = open();
    const a = sampleRun();
    const b = sampleRun();
    spool.put(a);
    spool.put(b);
    spool.remove(a.id);
    spool.reject(b.id, 'POST /runs: 400 invalid document');
    expect(spool.list()).toEqual([]);
    const rejected = readdirSync(path.join(dir, 'rejected'));
    expect(rejected).toHaveLength(2);
    const reason = rejected.find((name) => name.endsWith('.reason.txt'))!;
    expect(readFileSync(path.join(dir, 'rejected', reason), 'utf8')).toContain('400 invalid document');
  });

  it("deletes a crash's leftover temporary file on open, not a write in progress", () => {
    const stale = path.join(dir, '.tmp-x.json.1.1');
    const fresh = path.join(dir, '.tmp-y.json.2.2');
    writeFileSync(stale, '{"half');
    writeFileSync(fresh, '{"half');
    const old = new Date(Date.now() - 3600_000);
    utimesSync(stale, old, old);
    const spool = open();
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(spool.list()).toEqual([]); // a temporary file is never a run
    expect(warnings).toEqual([]);
  });
});
