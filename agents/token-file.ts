/**
 * The enrollment token from a file (`--token-file`), so it never sits on a
 * command line, where `ps` shows it to every user of the machine. Read only
 * when the agent has to enroll: once enrolled it has its own token (in its
 * state file), and the file may be emptied or removed.
 *
 * @example
 * const token = readTokenFile('/run/credentials/gilbench-agent.service/enroll-token', log);
 */
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../harness/errors.ts';

/** The token in `file` (surrounding whitespace ignored); warns when others may read the file. */
export function readTokenFile(file: string, warn: (message: string) => void): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--token-file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const token = text.trim();
  if (!token) throw new UsageError(`--token-file ${file} is empty; put the enrollment token in it`);
  if (/\s/.test(token))
    throw new UsageError(`--token-file ${file}: holds more than one word; put only the token in it`);
  if (statSync(file).mode & 0o077) {
    warn(`${file} may be read by other users (mode ${(statSync(file).mode & 0o777).toString(8)}); chmod 600 it`);
  }
  return token;
}
