import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerError, WorkerProcess } from './client.ts';

const fixture = fileURLToPath(new URL('./fixtures/misbehaving.py', import.meta.url));
const broken = fileURLToPath(new URL('./fixtures/broken_syntax.py', import.meta.url));
const started: WorkerProcess[] = [];

async function start(timeoutMs = 30_000) {
  const { worker, hello } = await WorkerProcess.start({ python: 'python3', env: {}, timeoutMs });
  started.push(worker);
  return { worker, hello };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((w) => w.close()));
});

describe('runtime worker protocol (real python3)', () => {
  it('says hello with the interpreter facts', async () => {
    const { hello } = await start();
    expect(hello.implementation).toBe('cpython');
    expect(hello.version).toMatch(/^3\.\d+\.\d+$/);
    expect(hello.usable_cores).toBeGreaterThanOrEqual(1);
    expect(hello.gil_enabled).toBe(true);
  });

  it('lists, loads, calibrates and samples a benchmark', async () => {
    const { worker } = await start();
    const listing = await worker.request({
      cmd: 'list',
      file: fixture,
    });
    expect(listing.benchmarks.map((b) => b.name)).toContain('corrupts-protocol');
    const loaded = await worker.request({
      cmd: 'load',
      file: fixture,
      benchmark: 'fine',
      params: {},
    });
    expect(loaded.checksum).toMatch(/^[0-9a-f]{16}$/);
    expect(loaded.threaded).toBe(false);
    const { loops } = await worker.request({ cmd: 'calibrate', target_ns: 2e6 });
    expect(loops).toBeGreaterThan(100);
    const { ns } = await worker.request({ cmd: 'sample', loops });
    expect(ns).toBeGreaterThan(0);
  });

  it('keeps the protocol intact when the benchmark prints, also from threads', async () => {
    const { worker } = await start();
    await worker.request({ cmd: 'load', file: fixture, benchmark: 'noisy', params: { threads: 2 } });
    const { ns } = await worker.request({ cmd: 'sample', loops: 10 });
    expect(ns).toBeGreaterThan(0);
    expect(worker.stderrTail).toContain('not json {');
    expect(worker.stderrTail).toContain('raw garbage on fd 1');
  });

  it('turns an exception into a benchmark error naming the file and function', async () => {
    const { worker } = await start();
    const err = await worker.request({ cmd: 'load', file: fixture, benchmark: 'raises', params: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect(err.kind).toBe('benchmark');
    expect(err.message).toContain('misbehaving.py');
    expect(err.message).toContain('bench_raises raised ValueError: boom in the benchmark');
    // The worker survives an exception and can still answer.
    await expect(worker.request({ cmd: 'gil' })).resolves.toMatchObject({ gil_enabled: true });
  });

  it('reports a crash (os.abort) with the stderr tail', async () => {
    const { worker } = await start();
    const err = await worker.request({ cmd: 'load', file: fixture, benchmark: 'aborts', params: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect(err.kind).toBe('crash');
    expect(err.message).toMatch(/SIGABRT|code/);
    expect(err.stderrTail).toContain('about to abort');
    await expect(worker.request({ cmd: 'gil' })).rejects.toThrow(/killed|exited/);
  });

  it('kills a hanging benchmark after the timeout', async () => {
    const { worker } = await start(1500);
    await worker.request({ cmd: 'load', file: fixture, benchmark: 'hangs', params: {} });
    const err = await worker.request({ cmd: 'calibrate', target_ns: 1e6 }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain("'calibrate' did not answer within 1500 ms");
  });

  it('treats a line that is not JSON on the protocol as a protocol failure', async () => {
    const { worker } = await start();
    await worker.request({ cmd: 'load', file: fixture, benchmark: 'corrupts_protocol', params: {} }).catch(() => {});
    const err = await worker.request({ cmd: 'gil' }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect(err.kind).toBe('protocol');
    expect(err.message).toContain('not JSON');
  });

  it('reports a syntax error in a suite file with file and line', async () => {
    const { worker } = await start();
    const err = await worker.request({ cmd: 'list', file: broken }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect(err.message).toMatch(/broken_syntax\.py:2: syntax error/);
  });

  it('rejects an unknown parameter and an unknown benchmark', async () => {
    const { worker } = await start();
    await expect(
      worker.request({ cmd: 'load', file: fixture, benchmark: 'fine', params: { arity: 3 } }),
    ).rejects.toThrow(/has no parameter 'arity'/);
    await expect(worker.request({ cmd: 'load', file: fixture, benchmark: 'nope', params: {} })).rejects.toThrow(
      /no benchmark named 'nope'/,
    );
  });
});

describe('threaded cases', () => {
  const threaded = fileURLToPath(new URL('./fixtures/threaded.py', import.meta.url));

  it('makes each per-thread context on its own thread', async () => {
    const { worker } = await WorkerProcess.start({ python: 'python3', env: {} });
    started.push(worker);
    await worker.request({ cmd: 'load', file: threaded, benchmark: 'owner', params: { threads: 2 } });
    await worker.request({ cmd: 'sample', loops: 1 });
    expect(worker.stderrTail).toMatch(/context 0 made on its own thread: True/);
    expect(worker.stderrTail).toMatch(/context 1 made on its own thread: True/);
  });

  it('reports a per-thread setup that raises, naming the thread', async () => {
    const { worker } = await WorkerProcess.start({ python: 'python3', env: {} });
    started.push(worker);
    const err = await worker
      .request({ cmd: 'load', file: threaded, benchmark: 'bad_thread', params: { threads: 2 } })
      .catch((e) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect(err.message).toMatch(/thread_bad_thread raised RuntimeError: no context for thread 1 \(thread 1\)/);
  });
});

describe('replies checked against the protocol (protocol.ts)', () => {
  const wrong = fileURLToPath(new URL('./fixtures/wrong_replies.py', import.meta.url));

  async function startWrong() {
    const { worker } = await WorkerProcess.start({ python: wrong, env: {}, timeoutMs: 10_000 });
    started.push(worker);
    return worker;
  }

  it("hands back a valid reply's fields without the envelope or unknown keys", async () => {
    const worker = await startWrong();
    expect(await worker.request({ cmd: 'rss' })).toEqual({ peak_rss_bytes: null });
  });

  it('turns a reply of the wrong shape into a protocol error naming the command and field, and ends the worker', async () => {
    const worker = await startWrong();
    const err = await worker.request({ cmd: 'calibrate', target_ns: 1e6 }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect(err.kind).toBe('protocol');
    expect(err.message).toMatch(/'calibrate' reply: loops: /);
    // Nothing after a malformed reply is trusted.
    await expect(worker.request({ cmd: 'rss' })).rejects.toMatchObject({ kind: 'protocol' });
  });

  it('turns a failure without its error, and JSON that is not a reply, into protocol errors', async () => {
    const gil = await (await startWrong()).request({ cmd: 'gil' }).catch((e) => e);
    expect(gil).toMatchObject({ kind: 'protocol' });
    expect(gil.message).toContain("reply to 'gil' is neither a result nor an error");
    const sample = await (await startWrong()).request({ cmd: 'sample', loops: 1 }).catch((e) => e);
    expect(sample).toMatchObject({ kind: 'protocol' });
    expect(sample.message).toContain('not a reply object: null');
  });

  it('refuses a request the protocol does not know without sending it; the worker lives on', async () => {
    const { worker } = await start();
    const err = await worker.request({ cmd: 'sample', loops: 0 }).catch((e) => e);
    expect(err).toMatchObject({ kind: 'protocol' });
    expect(err.message).toMatch(/'sample' request: loops: /);
    const unknown = await worker.request({ cmd: 'boom' } as never).catch((e) => e);
    expect(unknown.message).toBe('unknown worker command "boom"');
    await expect(worker.request({ cmd: 'gil' })).resolves.toEqual({ gil_enabled: true, gil_enabled_by: [] });
  });
});
