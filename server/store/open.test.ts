/**
 * What `--db` values name: files and SQLite URLs, PostgreSQL URLs, and the
 * refusals (each one line, the password never shown).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redact, StoreOpenError } from './core/store.ts';
import { openStore, storeTarget } from './open.ts';

const dir = mkdtempSync(join(tmpdir(), 'gilbench-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('storeTarget', () => {
  it.each([
    ['gilbench.db', { kind: 'sqlite', file: 'gilbench.db' }],
    ['./data/g.db', { kind: 'sqlite', file: './data/g.db' }],
    ['/srv/g.db', { kind: 'sqlite', file: '/srv/g.db' }],
    [':memory:', { kind: 'sqlite', file: ':memory:' }],
    ['sqlite:/srv/g.db', { kind: 'sqlite', file: '/srv/g.db' }],
    ['sqlite:///srv/g.db', { kind: 'sqlite', file: '/srv/g.db' }],
    ['sqlite:g.db', { kind: 'sqlite', file: 'g.db' }],
    ['file:///srv/g.db', { kind: 'sqlite', file: '/srv/g.db' }],
    ['file:g.db', { kind: 'sqlite', file: 'g.db' }],
    ['postgres://u@h:5432/db', { kind: 'postgres', url: 'postgres://u@h:5432/db' }],
    ['postgresql://u:p@h/db', { kind: 'postgres', url: 'postgresql://u:p@h/db' }],
  ])('%s', (value, target) => {
    expect(storeTarget(value)).toEqual(target);
  });

  it.each([
    ['', /is empty/],
    ['mysql://root@h/db', /unknown database kind 'mysql:'/],
    ['http://h/db', /unknown database kind 'http:'/],
    ['postgres://u@h', /names no database/],
    ['postgres://u:pw@[bad/db', /not a valid URL/],
    ['sqlite:', /names no file/],
  ])('refuses %j', (value, message) => {
    expect(() => storeTarget(value)).toThrow(StoreOpenError);
    expect(() => storeTarget(value)).toThrow(message);
  });

  it('never shows a password', () => {
    expect(redact('postgres://u:secret@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(redact('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(() => storeTarget('postgres://u:secret@h')).toThrow(/^'postgres:\/\/u:\*\*\*@h' names no database/);
  });
});

describe('openStore', () => {
  it('opens a SQLite file, and says where it is', async () => {
    const store = await openStore(`sqlite:${dir}/a.db`);
    expect(store.kind).toBe('sqlite');
    expect(store.location).toBe(join(dir, 'a.db'));
    expect(existsSync(join(dir, 'a.db'))).toBe(true);
    await store.close();
    await store.close(); // a second close does nothing
  });

  it('refuses a PostgreSQL it cannot reach (or cannot serve) with a StoreOpenError, making no file', async () => {
    await expect(openStore('postgres://u:secret@127.0.0.1:1/db')).rejects.toThrow(StoreOpenError);
    await expect(openStore('postgres://u:secret@127.0.0.1:1/db')).rejects.not.toThrow(/secret/);
    expect(existsSync('postgres:')).toBe(false);
  });
});
