/**
 * `gilbench server`: serve the API (and the dashboard), and manage tokens.
 *
 *   gilbench server [--port 8080] [--host 127.0.0.1] [--db FILE|URL] [--public] [--public-url URL] [--webhook URL] [--no-web] [--trust-proxy CIDR,…]
 *                   [--max-lease 4h] [--ingest-concurrency 2] [--ingest-queue 32]
 *   gilbench server token create --role admin|enroll [--db FILE] [--name TEXT] [--expires 30d] [--uses N|unlimited] [--labels a,b]
 *   gilbench server token list [--db FILE]
 *   gilbench server token revoke ID [--db FILE]
 *   gilbench server enrollment list|approve ID|reject ID [--db FILE]
 *   gilbench server migrate --from FILE --to postgres://… [--force]
 *
 * @example
 * registerServerCommands(program, { dashboard: webRoutes() }); // from cli/main.ts
 */
import { type Command, Option } from 'commander';
import { UsageError } from '../harness/errors.ts';
import type { Dashboard } from './app.ts';
import { parseTrustedProxies } from './auth/client-address.ts';
import { unsafeNameIn } from './contract/names.ts';
import { QUEUE_DEFAULTS } from './http/queue.ts';
import { registerMigrateCommand } from './migrate-command.ts';
import { parsePublicUrl } from './public-url.ts';
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

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * A duration as people write it (`30d`, `12h`, `90m`, `45s`) in seconds; a UsageError names the option otherwise.
 * @example parseDuration('30d', '--expires') === 2_592_000
 */
export function parseDuration(value: string, option: string): number {
  const match = /^(\d{1,7})([smhd])$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2]!]! : 0;
  if (!match || seconds <= 0) {
    throw new UsageError(`${option} takes a duration like 30d, 12h, 90m or 45s, got '${value}'`);
  }
  return seconds;
}

/**
 * A whole number from `min` to 10,000 for `option`; a UsageError (one line, exit 2) otherwise.
 * @example parseCount('4', '--ingest-queue', 0) === 4
 */
export function parseCount(value: string, option: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > 10_000) {
    throw new UsageError(`${option} takes a whole number from ${min} to 10000, got '${value}'`);
  }
  return n;
}

/** `--uses`: a whole number of enrollments from 1, or `unlimited` (null). */
function parseUses(value: string): number | null {
  if (value === 'unlimited') return null;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100_000) {
    throw new UsageError(`--uses takes a whole number from 1 to 100000, or 'unlimited', got '${value}'`);
  }
  return n;
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
    .option(
      '--public-url <url>',
      "where readers reach this server, e.g. https://bench.example.org behind a TLS proxy: the base of the feeds' and the webhook's links (default: the request's origin)",
      parsePublicUrl,
    )
    .option('--webhook <url>', 'POST each regression or improvement found to this URL', checkUrl)
    .option('--no-web', 'serve the API only, not the dashboard')
    .option(
      '--trust-proxy <cidrs>',
      "reverse proxies whose X-Forwarded-For names the client for rate limits, e.g. 127.0.0.1,10.0.0.0/8 (also GILBENCH_TRUST_PROXY); default: none, the socket's address counts",
      parseTrustProxy,
    )
    .option(
      '--max-lease <duration>',
      'the longest lease a job claim gets, e.g. 4h (progress renews it); default 4h',
      (v: string) => parseDuration(v, '--max-lease'),
    )
    .option(
      '--ingest-concurrency <n>',
      `uploads validated and stored at once (default ${QUEUE_DEFAULTS.concurrency})`,
      (v: string) => parseCount(v, '--ingest-concurrency', 1),
    )
    .option(
      '--ingest-queue <n>',
      `uploads that may wait for a turn; one more is answered 503 with Retry-After (default ${QUEUE_DEFAULTS.maxQueue})`,
      (v: string) => parseCount(v, '--ingest-queue', 0),
    )
    .action(
      async (opts: {
        port: number;
        host: string;
        db?: string;
        public: boolean;
        publicUrl?: string;
        webhook?: string;
        web: boolean;
        trustProxy?: string[];
        maxLease?: number;
        ingestConcurrency?: number;
        ingestQueue?: number;
      }) => {
        const db = opts.db ?? defaultDb();
        const trustProxy = opts.trustProxy ?? parseTrustProxy(process.env.GILBENCH_TRUST_PROXY ?? '');
        const running = await startServer({
          db,
          port: opts.port,
          host: opts.host,
          public: opts.public,
          webhookUrl: opts.webhook,
          publicUrl: opts.publicUrl,
          dashboard: opts.web ? options.dashboard : undefined,
          trustProxy,
          adminToken: process.env.GILBENCH_ADMIN_TOKEN || undefined,
          maxLeaseSeconds: opts.maxLease,
          ingest: { concurrency: opts.ingestConcurrency, maxQueue: opts.ingestQueue },
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
    .option('--expires <duration>', 'refuse the token after this long, e.g. 30d, 12h (default: never)', (v: string) =>
      parseDuration(v, '--expires'),
    )
    .option('--uses <n>', "enroll tokens: how many machines it may enroll, or 'unlimited' (default 1)", parseUses)
    .option(
      '--labels <a,b>',
      'enroll tokens: labels granted to the machines it enrolls (they route jobs)',
      (v: string) =>
        v
          .split(',')
          .map((l) => l.trim())
          .filter(Boolean),
    )
    .action(async (_opts: unknown, cmd: Command) => {
      // --db belongs to `gilbench server`; commander hands it to the parent wherever it is written.
      const opts = cmd.optsWithGlobals<{
        role: 'admin' | 'enroll';
        db?: string;
        name: string;
        expires?: number;
        uses?: number | null;
        labels?: string[];
      }>();
      if (opts.role !== 'enroll' && (opts.uses !== undefined || opts.labels !== undefined)) {
        throw new UsageError('--uses and --labels are for enrollment tokens (--role enroll)');
      }
      const bad = opts.labels?.find((l) => l.length > 100 || unsafeNameIn({ labels: [l] }) !== null);
      if (bad !== undefined) throw new UsageError(`--labels: '${bad}' is not a label (at most 100 visible characters)`);
      const db = opts.db ?? defaultDb();
      const repo = await openForTokens(db);
      const now = Date.now();
      try {
        const { token: secret, info } = await repo.createToken(
          {
            role: opts.role,
            name: opts.name,
            expiresAt: opts.expires === undefined ? null : now + opts.expires * 1000,
            uses: opts.uses,
            labels: opts.labels,
          },
          now,
        );
        const limits = [
          info.expiresAt === null ? 'no expiry' : `expires ${new Date(info.expiresAt).toISOString()}`,
          ...(info.role === 'enroll'
            ? [
                info.usesLeft === null ? 'unlimited uses' : `${info.usesLeft} use(s)`,
                `grants ${info.labels.join(',') || 'no labels'}`,
              ]
            : []),
        ];
        process.stderr.write(
          `${opts.role} token ${info.id} stored in ${redact(db)} (${limits.join('; ')}); it is shown only now:\n`,
        );
        console.log(secret);
      } finally {
        await repo.close();
      }
    });
  token
    .command('list')
    .description('list tokens (id, role, machine, state, expiry, uses left, granted labels, name; never the secret)')
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
              t.expiresAt === null ? 'no expiry' : `expires ${when(t.expiresAt)}`,
              t.role === 'enroll' ? `uses left ${t.usesLeft ?? 'unlimited'}` : '-',
              t.labels.join(',') || '-',
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

  const enrollment = server
    .command('enrollment')
    .description(
      'requests to enroll a machine that is enrolled already (an enrollment token only asks; an admin decides)',
    );
  enrollment
    .command('list')
    .description('list requests (id, status, machine, hostname asked for, when; pending first to decide)')
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ db?: string }>();
      const repo = await openForTokens(opts.db ?? defaultDb());
      try {
        for (const r of await repo.listEnrollmentRequests()) {
          console.log(
            [r.id, r.status, `machine ${r.machineId}`, r.facts.hostname, new Date(r.createdAt).toISOString()].join(
              '\t',
            ),
          );
        }
      } finally {
        await repo.close();
      }
    });
  for (const [verb, decision] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    enrollment
      .command(verb)
      .description(
        verb === 'approve'
          ? "approve a request: its holder becomes the machine's agent; the machine's older agent tokens are revoked"
          : 'reject a request: nothing of the machine changes',
      )
      .argument('<id>', 'request id (gilbench server enrollment list)')
      .action(async (id: string, _opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<{ db?: string }>();
        if (!/^\d{1,15}$/.test(id)) throw new UsageError(`the request id is a whole number, got '${id}'`);
        const repo = await openForTokens(opts.db ?? defaultDb());
        try {
          const request = await repo.decideEnrollment(Number(id), decision, Date.now());
          process.stderr.write(`enrollment request ${id} ${request.status} (machine ${request.machineId})\n`);
        } catch (err) {
          if (err instanceof DomainError) throw new UsageError(`${err.message}; see gilbench server enrollment list`);
          throw err;
        } finally {
          await repo.close();
        }
      });
  }
}
