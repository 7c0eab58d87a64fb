/**
 * A real `gilbench server` process on 127.0.0.1 with a temporary database and
 * the dashboard, for the browser tests, and uploads of run documents to it.
 *
 * @example
 * const server = await startServer({ public: true });
 * await server.upload(doc);
 * const { machines } = await server.api<{ machines: MachineInfo[] }>('/machines');
 * await server.stop();
 */
import { join } from 'node:path';
import type { RunDocument } from '../../harness/schema.ts';
import { tempDir } from '../../harness/test-support/index.ts';
import { ADMIN_TOKEN, startGilbench } from '../../server/test-support/index.ts';

export interface RunningServer {
  url: string;
  dbFile: string;
  adminToken: string;
  output(): string;
  /** GET `/api/v1${path}` as JSON; anything but 200 throws, naming the path. */
  api<T>(path: string): Promise<T>;
  upload(doc: RunDocument): Promise<void>;
  stop(): Promise<void>;
}

export async function startServer(opts: { public?: boolean; dbFile?: string } = {}): Promise<RunningServer> {
  const { dir, remove } = tempDir('gilbench-web-server-');
  const dbFile = opts.dbFile ?? join(dir, 'gilbench.db');
  const adminToken = process.env.GILBENCH_ADMIN_TOKEN ?? ADMIN_TOKEN;
  const server = await startGilbench(dbFile, { args: opts.public ? ['--public'] : [], adminToken, web: true });
  // A token printed by the server on first start wins over the one we asked for.
  const token = server.output().match(/\bgb_[A-Za-z0-9_]+/)?.[0] ?? adminToken;
  return {
    url: server.url,
    dbFile,
    adminToken: token,
    output: server.output,
    async api<T>(path: string) {
      const response = await fetch(`${server.url}/api/v1${path}`);
      if (response.status !== 200) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
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
      remove();
    },
  };
}
