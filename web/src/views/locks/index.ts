/**
 * Locks: what a Lock, an RLock or a private copy costs a reader against the
 * lock-free read, per mode, with and without a writer. See model.ts for its URL state.
 */
import { defineView } from '../types.ts';
import { loadLocks } from './load.ts';
import { locksModel } from './model.ts';

export const locks = defineView({
  id: 'locks',
  title: 'Locks',
  nav: 'Locks',
  load: loadLocks,
  model: locksModel,
  exportData: {
    async machine({ api, runs, each }) {
      await each(runs, 4, async (run) => {
        if ((await api.run(run.id)).results.some((r) => r.suite === 'locks')) await api.locks(run.id);
      });
    },
  },
});
