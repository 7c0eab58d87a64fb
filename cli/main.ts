/**
 * The `gilbench` command line: the composition root. Each room registers its
 * own subcommands, so no room depends on another to start; only the wiring
 * room (`cli/`) puts them together and hands each what it needs of the
 * others (seams.ts).
 */
import { Command, CommanderError } from 'commander';
import { USAGE_EXIT, UsageError } from '../harness/errors.ts';
import { dashboard, openServerDb } from './seams.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('gilbench')
    .description('benchmark harness and dashboard for CPython with and without the GIL')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  // Each area registers its own commands: loaded in parallel, registered in a
  // fixed order so --help reads the same every time.
  const [start, run, stats, runtimes, server, agents, web] = await Promise.all([
    import('./start.ts'),
    import('../harness/run/cli.ts'),
    import('../harness/stats/cli.ts'),
    import('../harness/runtimes/cli.ts'),
    import('../server/cli.ts'),
    import('../agents/cli.ts'),
    import('../web/export.ts'),
  ]);
  start.registerStartCommand(program);
  run.registerRunCommands(program);
  stats.registerCompareCommand(program);
  runtimes.registerRuntimesCommands(program);
  server.registerServerCommands(program, { dashboard: dashboard() });
  agents.registerAgentCommands(program);
  web.registerExportCommand(program, { openDb: openServerDb });

  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; bad flags with a usage error.
      return err.exitCode === 0 ? 0 : USAGE_EXIT;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`gilbench: ${err.message}\n`);
      return USAGE_EXIT;
    }
    process.stderr.write(`gilbench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
