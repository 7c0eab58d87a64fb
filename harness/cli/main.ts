/**
 * The `gilbench` command line: the composition root. Each area registers its
 * own subcommands; modules load lazily so `gilbench --help` stays fast and the
 * harness library itself never depends on the server or the agent.
 */
import { Command, CommanderError } from 'commander';
import { USAGE_EXIT, UsageError } from './errors.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('gilbench')
    .description('benchmark harness and dashboard for CPython with and without the GIL')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const areas = [
    import('../runtimes/cli.ts').then((m) => m.registerRuntimesCommands(program)),
    import('../stats/cli.ts').then((m) => m.registerCompareCommand(program)),
    import('../run/cli.ts').then((m) => m.registerRunCommands(program)),
    import('../../server/cli.ts').then((m) => m.registerServerCommands(program)),
    import('../../agents/cli.ts').then((m) => m.registerAgentCommands(program)),
    import('../../web/export.ts').then((m) => m.registerExportCommand(program)),
    import('./start.ts').then((m) => m.registerStartCommand(program)),
  ];
  // An area still under construction must not break the others.
  for (const result of await Promise.allSettled(areas)) {
    if (result.status === 'rejected' && process.env.GILBENCH_DEBUG) console.error(result.reason);
  }

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
