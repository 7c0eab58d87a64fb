import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { CLUSTER_USER, createDatabase, findBinaries, startCluster } from './cluster.ts';

describe('private PostgreSQL cluster', () => {
  it('finds the binaries', () => {
    const bin = findBinaries();
    expect(bin).not.toBeNull();
    expect(existsSync(`${bin}/postgres`)).toBe(true);
  });

  it('the run-wide cluster answers on 127.0.0.1, as a superuser that may create databases', async () => {
    const url = new URL(inject('pgUrl'));
    expect(url.hostname).toBe('127.0.0.1');
    const db = await createDatabase(inject('pgUrl'));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query('SELECT current_user AS "user", current_database() AS db');
    await client.end();
    expect(rows[0]).toEqual({ user: CLUSTER_USER, db: db.name });
    await db.drop();
  });

  it('stop() shuts postgres down and removes its folder; a second stop is harmless', async () => {
    const cluster = await startCluster();
    expect(existsSync(cluster.dir)).toBe(true);
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    const { rows } = await client.query("SELECT current_setting('data_directory') AS data");
    await client.end();
    expect(rows[0].data.startsWith(cluster.dir)).toBe(true);
    expect(rows[0].data).not.toMatch(/^\/var\/lib\/postgresql/);
    await cluster.stop();
    await cluster.stop();
    expect(existsSync(cluster.dir)).toBe(false);
    const after = new pg.Client({ connectionString: cluster.url, connectionTimeoutMillis: 2000 });
    await expect(after.connect()).rejects.toThrow();
  });

  it('a cluster whose starter is SIGKILLed is stopped and removed by its watchdog', async () => {
    const module = fileURLToPath(new URL('./cluster.ts', import.meta.url));
    const code = `const { startCluster } = await import(${JSON.stringify(module)}); const c = await startCluster(); console.log(JSON.stringify(c)); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(out.split('\n')[0] as string);
      });
      child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    const { dir, url } = JSON.parse(line) as { dir: string; url: string };
    expect(existsSync(dir)).toBe(true);
    child.kill('SIGKILL');
    const deadline = Date.now() + 20_000;
    while (existsSync(dir) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(dir)).toBe(false);
    const after = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    await expect(after.connect()).rejects.toThrow();
  });
});
