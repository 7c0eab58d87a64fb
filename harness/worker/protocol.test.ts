import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WORKER_SCRIPT } from './client.ts';
import { checkReply, requestProblem, WORKER_REPLIES, WORKER_REQUESTS } from './protocol.ts';

describe('the worker protocol', () => {
  it("names exactly worker.py's commands, each with a request and a reply schema", () => {
    const source = readFileSync(WORKER_SCRIPT, 'utf8');
    const body = source.slice(source.indexOf('class Worker:'), source.indexOf('\ndef main('));
    const commands = [...body.matchAll(/^ {4}def ([a-z]\w*)\(self, req\):/gm)].map((m) => m[1]).sort();
    expect(Object.keys(WORKER_REQUESTS).sort()).toEqual(commands);
    expect(Object.keys(WORKER_REPLIES).sort()).toEqual(commands);
  });

  it('checks a reply against the schema of its command, dropping the envelope', () => {
    expect(checkReply('sample', { ok: true, id: 4, ns: 1200, empty_ns: null })).toEqual({
      data: { ns: 1200, empty_ns: null },
    });
    expect(checkReply('sample', { ok: true, id: 4, ns: 1200 }).problem).toMatch(/^'sample' reply: empty_ns: /);
    expect(checkReply('load', { checksum: null, ops: 1, threaded: 'no', gil_enabled: true }).problem).toMatch(
      /^'load' reply: threaded: /,
    );
  });

  it('checks a request before it is sent', () => {
    expect(requestProblem({ cmd: 'calibrate', target_ns: 5e6 })).toBeNull();
    expect(requestProblem({ cmd: 'load', file: 'x.py', benchmark: 'b', params: { threads: [1] } })).toMatch(
      /^'load' request: params\.threads: /,
    );
    expect(requestProblem({ cmd: '_loaded' })).toBe('unknown worker command "_loaded"');
  });
});
