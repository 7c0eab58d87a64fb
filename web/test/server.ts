/**
 * A real `gilbench server` process on 127.0.0.1 with a temporary database,
 * for the browser tests and the benchmark, and uploads of run documents to it.
 *
 * @example
 * const server = await startServer({ public: true });
 * await server.upload(doc);
 * await server.stop();
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunDocument } from '../../harness/schema.ts';

const BIN = fileURLToPath(new URL('../../harness/cli/bin.mjs', import.meta.url));

export interface RunningServer {
  url: string;
  dbFile: string;
  adminToken: string;
  output(): string;
  upload(doc: RunDocument): Promise<void>;
  stop(): Promise<void>;
}

export async function startServer(opts: { public?: boolean; dbFile?: string } = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gilbench-web-server-'));
  const dbFile = opts.dbFile ?? join(dir, 'gilbench.db');
  const adminToken = process.env.GILBENCH_ADMIN_TOKEN ?? `gb_webtest_${randomBytes(16).toString('hex')}`;
  const args = [
    BIN,
    'server',
    '--db',
    dbFile,
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    ...(opts.public ? ['--public'] : []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, GILBENCH_ADMIN_TOKEN: adminToken },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`gilbench server did not say where it listens within 60 s:\n${out}`)),
      60_000,
    );
    const check = () => {
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => reject(new Error(`gilbench server exited with ${code}:\n${out}`)));
  });
  // A token printed by the server on first start wins over the one we asked for.
  const printed = out.match(/\bgb_[A-Za-z0-9_]+/)?.[0];
  const token = printed ?? adminToken;
  return {
    url,
    dbFile,
    adminToken: token,
    output: () => out,
    async upload(doc) {
      const response = await fetch(`${url}/api/v1/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(doc),
      });
      if (!response.ok) throw new Error(`upload of ${doc.id} failed: HTTP ${response.status} ${await response.text()}`);
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
