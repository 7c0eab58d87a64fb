/**
 * A real `gilbench server` process on 127.0.0.1 with a temporary database,
 * for the browser tests and the benchmark, and uploads of run documents to it.
 *
 * @example
 * const server = await startServer({ public: true });
 * await server.upload(doc);
 * await server.stop();
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunDocument } from '../../harness/schema.ts';
import { spawnServer } from '../../server/test-support.ts';

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
  const server = await spawnServer(
    ['--db', dbFile, ...(opts.public ? ['--public'] : [])],
    { GILBENCH_ADMIN_TOKEN: adminToken },
    { web: true },
  );
  // A token printed by the server on first start wins over the one we asked for.
  const token = server.output().match(/\bgb_[A-Za-z0-9_]+/)?.[0] ?? adminToken;
  return {
    url: server.url,
    dbFile,
    adminToken: token,
    output: server.output,
    async upload(doc) {
      const response = await fetch(`${server.url}/api/v1/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(doc),
      });
      if (!response.ok) throw new Error(`upload of ${doc.id} failed: HTTP ${response.status} ${await response.text()}`);
    },
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
