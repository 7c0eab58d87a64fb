/**
 * The SQLite store in its thread, for the contract suite: the same empty files
 * as the in-process backend's, opened through the worker proxy.
 * @example const db = await sqliteWorkerTestBackend.create();
 */

import { sqliteTestBackend } from '../sqlite/testing.ts';
import type { TestBackend } from '../testing.ts';
import { openSqliteWorkerStore } from './index.ts';

export const sqliteWorkerTestBackend: TestBackend = {
  name: 'sqlite-worker',
  async create() {
    const db = await sqliteTestBackend.create();
    return { ...db, open: () => openSqliteWorkerStore(db.url) };
  },
};
