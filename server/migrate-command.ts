/**
 * `gilbench server migrate --from FILE --to postgres://… [--force]`: copies a
 * SQLite database into PostgreSQL (server/store/migrate.ts) with progress on
 * stderr and a table of row counts and checksums at the end.
 *
 * @example
 * registerMigrateCommand(serverCommand); // from server/cli.ts
 */
import type { Command } from 'commander';
import { UsageError } from '../harness/errors.ts';
import { StoreOpenError } from './store/core/store.ts';
import { MigrateRefused, migrateSqliteToPostgres } from './store/migrate.ts';
import { storeTarget } from './store/open.ts';

export function registerMigrateCommand(server: Command): void {
  server
    .command('migrate')
    .description('copy a SQLite database into PostgreSQL (ids, tokens and run documents unchanged), then verify it')
    .requiredOption('--from <file>', 'the SQLite database file')
    .requiredOption('--to <url>', 'the PostgreSQL database: postgres://USER@HOST:PORT/DATABASE')
    .option('--force', 'replace the contents of a target that is not empty', false)
    .action(async (opts: { from: string; to: string; force: boolean }) => {
      let from: string;
      try {
        const source = storeTarget(opts.from);
        const target = storeTarget(opts.to);
        if (source.kind !== 'sqlite') throw new UsageError(`--from must be a SQLite file, got '${opts.from}'`);
        if (target.kind !== 'postgres') throw new UsageError(`--to must be a postgres:// URL, got '${opts.to}'`);
        from = source.file;
      } catch (err) {
        if (err instanceof StoreOpenError) throw new UsageError(err.message);
        throw err;
      }
      const started = Date.now();
      let last = 0;
      try {
        const report = await migrateSqliteToPostgres({
          from,
          to: opts.to,
          force: opts.force,
          onProgress: ({ table, done, total }) => {
            const now = Date.now();
            if (done === total || now - last > 1000) {
              last = now;
              const pct = total ? Math.round((100 * done) / total) : 100;
              process.stderr.write(`migrate: ${table} ${done}/${total} (${pct}%)\n`);
            }
          },
        });
        process.stderr.write(
          `migrate: verified every table's rows and checksum in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
        );
        for (const t of report) console.log(`${t.table}\t${t.rows}\t${t.checksum}`);
      } catch (err) {
        if (err instanceof MigrateRefused || err instanceof StoreOpenError) throw new UsageError(err.message);
        throw err;
      }
    });
}
