import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../schema.ts';
import { provisionedCpython } from '../test-support/cpython.ts';
import { writeFakeSource } from './fake-cpython-source.ts';

const BIN = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url));

function gilbench(args: string[], env: Record<string, string | undefined> = process.env) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'gilbench-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const { version } = await provisionedCpython();
const versionPattern = version.replaceAll('.', '\\.');

describe('gilbench runtimes', () => {
  it('lists runtimes as JSON the run document accepts', async () => {
    const { code, stdout } = await gilbench(['runtimes', 'list', '--json', '--python', '/usr/bin/python3']);
    expect(code).toBe(0);
    const list = JSON.parse(stdout) as Array<Runtime & { origin: string }>;
    expect(list[0]).toMatchObject({ origin: 'explicit', executable: '/usr/bin/python3' });
    for (const r of list) expect(Runtime.parse(r)).toBeTruthy();
    expect(list.map((r) => r.id)).toEqual(expect.arrayContaining([`cpython-${version}`, `cpython-${version}t`]));
  });

  it('lists runtimes as a table', async () => {
    const { code, stdout } = await gilbench(['runtimes', 'list', '--python', '/usr/bin/python3']);
    expect(code).toBe(0);
    const [header, first] = stdout.split('\n');
    expect(header!.split(/\s{2,}/)).toEqual([
      'id',
      'free-threaded',
      'GIL by default',
      'version',
      'origin',
      'executable',
    ]);
    expect(first).toMatch(/^cpython-3\.\S+\s+no\s+yes\s+3\.\S+\s+explicit\s+\/usr\/bin\/python3$/);
  });

  it('exits 2 with one line for a --python that does not exist', async () => {
    const { code, stderr } = await gilbench(['runtimes', 'list', '--python', '/nonexistent/python3.13t']);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'gilbench: --python /nonexistent/python3.13t not found; pass the path of a working python executable\n',
    );
  });

  it('exits 2 for an unknown spec, a bad --jobs and a missing --source', async () => {
    const spec = await gilbench(['runtimes', 'install', 'cpython@2.7']);
    expect([spec.code, spec.stderr]).toEqual([
      2,
      "gilbench: unknown runtime 'cpython@2.7'; installable runtimes: cpython@X.Y or cpython@X.Y.Z (3.13 and later; `gilbench runtimes available` lists them)\n",
    ]);
    const jobs = await gilbench(['runtimes', 'install', 'cpython@3.13', '--jobs', 'many']);
    expect(jobs.code).toBe(2);
    expect(jobs.stderr).toMatch(/^gilbench: --jobs many is not a whole number/);
    const source = await gilbench(['runtimes', 'install', 'cpython@3.13', '--source', path.join(tmp, 'nothing')]);
    expect(source.code).toBe(2);
    expect(source.stderr).toMatch(/^gilbench: --source .*nothing does not exist; pass a CPython source/);
    const missing = await gilbench(['runtimes', 'install']);
    expect(missing.code).toBe(2);
  });

  it('says already installed for cpython@3.13', async () => {
    const { code, stdout } = await gilbench(['runtimes', 'install', 'cpython@3.13']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      new RegExp(`^already installed: cpython-${versionPattern} \\(default\\) /\\S+/default/bin/python3\\.13$`, 'm'),
    );
    expect(stdout).toMatch(
      new RegExp(`^already installed: cpython-${versionPattern}t \\(freethreaded\\) /\\S+/bin/python3\\.13t$`, 'm'),
    );
  });

  it('builds from --source with plain progress lines, and exits 1 naming the log when the build fails', async () => {
    const env = { ...process.env, XDG_CACHE_HOME: path.join(tmp, 'xdg') };
    const good = await writeFakeSource(path.join(tmp, 'good'));
    const built = await gilbench(['runtimes', 'install', 'cpython@3.13', '--source', good, '--jobs', '1'], env);
    expect(built.code).toBe(0);
    expect(built.stdout).toContain('default configure...\n');
    expect(built.stdout).toMatch(
      /^installed: cpython-3\.13\.99t \(freethreaded\) .*\/xdg\/gilbench\/cpython\/3\.13\.99-/m,
    );
    expect(built.stdout).toMatch(/^build log: .*\/xdg\/gilbench\/logs\/cpython-3\.13-.*\.log$/m);

    const bad = await writeFakeSource(path.join(tmp, 'bad'), { failConfigure: true });
    const failed = await gilbench(['runtimes', 'install', 'cpython@3.13', '--source', bad], env);
    expect(failed.code).toBe(1);
    const lines = failed.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^gilbench: building cpython 3\.13\.99 \(default\) failed during configure .*full log: \/\S+\.log$/,
    );
    const logFile = lines[0]!.split('full log: ')[1]!;
    expect(existsSync(logFile)).toBe(true);
    // Only the good source's build is in the cache.
    expect(await readdir(path.join(tmp, 'xdg', 'gilbench', 'cpython'))).toHaveLength(1);
  });
});
