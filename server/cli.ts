/**
 * `gilbench server`: serve the API (and the dashboard), and manage tokens.
 *
 *   gilbench server [--port 8080] [--host 127.0.0.1] [--db FILE|URL] [--public] [--webhook URL] [--no-web] [--trust-proxy CIDR,…]
 *   gilbench server token create --role admin|enroll [--db FILE] [--name TEXT]
 *   gilbench server token list [--db FILE]
 *   gilbench server token revoke ID [--db FILE]
 *   gilbench server migrate --from FILE --to postgres://… [--force]
 *
 * @example
 * registerServerCommands(program, { dashboard: webRoutes() }); // from cli/main.ts
 */
import { type Command, Option } from 'commander';
import { UsageError } from '../harness/errors.ts';
import type { Dashboard } from './app.ts';
import { parseTrustedProxies } from './auth/client-address.ts';
import { registerMigrateCommand } from './migrate-command.ts';
import { createServices, DomainError } from './services/index.ts';
import { openOrExplain, startServer } from './start.ts';
import { redact } from './store/core/store.ts';

/** Where the data is when --db is not given: GILBENCH_DATABASE_URL, else a file here. */
const defaultDb = () => process.env.GILBENCH_DATABASE_URL || './gilbench.db';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new UsageError(`--port must be a whole number from 0 to 65535, got '${value}'`);
  return port;
}

function checkUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {}
  throw new UsageError(`--webhook must be an http(s) URL, got '${value}'`);
}

/** `--trust-proxy` / GILBENCH_TRUST_PROXY: comma-separated addresses or CIDR blocks, checked now. */
export function parseTrustProxy(value: string): string[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  try {
    parseTrustedProxies(entries);
  } catch (err) {
    throw new UsageError(`--trust-proxy: ${(err as Error).message}`);
  }
  return entries;
}

/** Opens the store for a token command; one that cannot be opened is the user's to fix. */
async function openForTokens(db: string) {
  return createServices(await openOrExplain(db));
}

export interface ServerCommandOptions {
  /** The dashboard to serve unless `--no-web` (the wiring room hands it in; none: the API only). */
  dashboard?: Dashboard;
}

/** Adds `gilbench server` and `gilbench server token ...` to the program. */
export function registerServerCommands(program: Command, options: ServerCommandOptions = {}): void {
  const server = program
    .command('server')
    .description('serve the API and the dashboard; manage tokens (gilbench server token --help)')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 8080)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option(
      '--db <file|url>',
      'SQLite file (made and migrated if new) or postgres://USER@HOST/DB (default: GILBENCH_DATABASE_URL, else ./gilbench.db)',
    )
    .option('--public', 'let anyone read results and pages (writes still need a token)', false)
    .option('--webhook <url>', 'POST each regression or improvement found to this URL', checkUrl)
    .option('--no-web', 'serve the API only, not the dashboard')
    .option(
      '--trust-proxy <cidrs>',
      "reverse proxies whose X-Forwarded-For names the client for rate limits, e.g. 127.0.0.1,10.0.0.0/8 (also GILBENCH_TRUST_PROXY); default: none, the socket's address counts",
      parseTrustProxy,
    )
    .action(
      async (opts: {
        port: number;
        host: string;
        db?: string;
        public: boolean;
        webhook?: string;
        web: boolean;
        trustProxy?: string[];
      }) => {
        const db = opts.db ?? defaultDb();
        const trustProxy = opts.trustProxy ?? parseTrustProxy(process.env.GILBENCH_TRUST_PROXY ?? '');
        const running = await startServer({
          db,
          port: opts.port,
          host: opts.host,
          public: opts.public,
          webhookUrl: opts.webhook,
          dashboard: opts.web ? options.dashboard : undefined,
          trustProxy,
          adminToken: process.env.GILBENCH_ADMIN_TOKEN || undefined,
        });
        console.log(
          `gilbench server listening on ${running.url} (database ${running.repo.kind} ${redact(db)}; ${opts.public ? 'reads are public' : 'reads need a token'})`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            running.close().then(resolve, resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      },
    );

  registerMigrateCommand(server);

  const token = server
    .command('token')
    .description('make, list and revoke tokens (stored hashed in the database given with --db)');
  token
    .command('create')
    .description('make a token and print it, once')
    .addOption(
      new Option('--role <role>', 'admin: everything; enroll: lets an agent enroll')
        .choices(['admin', 'enroll'])
        .makeOptionMandatory(),
    )
    .option('--name <text>', 'what the token is for', '')
    .action(async (_opts: unknown, cmd: Command) => {
      // --db belongs to `gilbench server`; commander hands it to the parent wherever it is written.
      const opts = cmd.optsWithGlobals<{ role: 'admin' | 'enroll'; db?: string; name: string }>();
      const db = opts.db ?? defaultDb();
      const repo = await openForTokens(db);
      try {
        const { token: secret, info } = await repo.createToken({ role: opts.role, name: opts.name }, Date.now());
        process.stderr.write(`${opts.role} token ${info.id} stored in ${redact(db)}; it is shown only now:\n`);
        console.log(secret);
      } finally {
        await repo.close();
      }
    });
  token
    .command('list')
    .description('list tokens (id, role, machine, name, last use; never the secret)')
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ db?: string }>();
      const repo = await openForTokens(opts.db ?? defaultDb());
      try {
        for (const t of await repo.listTokens()) {
          const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
          console.log(
            [
              t.id,
              t.role,
              t.machineId ?? '-',
              t.revokedAt ? `revoked ${when(t.revokedAt)}` : `last used ${when(t.lastUsedAt)}`,
              t.name,
            ].join('\t'),
          );
        }
      } finally {
        await repo.close();
      }
    });
  token
    .command('revoke')
    .description('revoke a token by id')
    .argument('<id>', 'token id (gilbench server token list)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ db?: string }>();
      const repo = await openForTokens(opts.db ?? defaultDb());
      try {
        await repo.revokeToken(id, Date.now());
        process.stderr.write(`token ${id} revoked\n`);
      } catch (err) {
        if (err instanceof DomainError) throw new UsageError(`${err.message}; see gilbench server token list`);
        throw err;
      } finally {
        await repo.close();
      }
    });
}
