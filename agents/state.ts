/**
 * The agent's identity on disk: the server it enrolled with, its machine id
 * and its own agent token. The file is written atomically with mode 0600
 * (it holds a secret), so a restart reuses the identity instead of enrolling
 * again.
 *
 * @example
 * const state = readAgentState('/var/lib/gilbench/agent.json'); // null before the first enrollment
 * writeAgentState(file, { server: 'http://ci:8080', machineId: '7', token: 'gb_…', fingerprint: 'ab12…', enrolledAt: new Date().toISOString() });
 */
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../harness/errors.ts';
import { writeFileAtomic } from '../harness/fs/atomic-write.ts';

export const AgentState = z.object({
  /** The server's base URL as the user gave it (normalized, no trailing slash). */
  server: z.string().url(),
  machineId: z.string().min(1).max(100),
  token: z.string().min(1).max(500),
  fingerprint: z.string().min(8).max(128),
  enrolledAt: z.string().datetime({ offset: true }),
  /** The enrollment request an admin has yet to approve before `token` works (the machine was enrolled already). */
  pendingRequest: z.string().min(1).max(100).optional(),
});
export type AgentState = z.infer<typeof AgentState>;

const SECRET_MODE = 0o600;

/**
 * Reads the state file; null when it does not exist. A file that exists but
 * does not parse is a UsageError naming it (the agent must not silently
 * enroll a second identity for the same machine).
 */
export function readAgentState(file: string): AgentState | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsageError(`cannot read the agent state file ${file}: ${(err as Error).message}`);
  }
  let parsed: AgentState;
  try {
    parsed = AgentState.parse(JSON.parse(text));
  } catch {
    throw new UsageError(`the agent state file ${file} is damaged; move it away to enroll this machine again`);
  }
  // A state file made readable by someone else (a copy, an editor) gets its private mode back.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, SECRET_MODE);
  return parsed;
}

/** Writes the state atomically (temporary file with mode 0600, then rename). */
export function writeAgentState(file: string, state: AgentState): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify(AgentState.parse(state), null, 1)}\n`, SECRET_MODE);
}

/**
 * The server URL in the one form the state file compares: no trailing slash.
 * @example normalizeServerUrl('http://ci:8080/') === 'http://ci:8080'
 */
export function normalizeServerUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--server '${url}' is not a URL; pass e.g. --server http://bench.example:8080`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--server '${url}' must start with http:// or https://`);
  }
  return parsed.href.replace(/\/+$/, '');
}
