/**
 * The answers the agent reads (enrollment, claims) are parsed with the API
 * contract's schemas: against a small endpoint in this process whose answers
 * the test chooses. The real server's answers are checked against the same
 * schemas in server/contract/routes.test.ts, and end to end in e2e.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleRun } from '../harness/test-support/index.ts';
import type { Job } from '../server/contract/index.ts';
import { ServerClient, ServerReplyInvalid } from './client.ts';

let server: Server;
let answer: unknown;
let client: ServerClient;

beforeEach(async () => {
  server = createServer((req, res) => {
    req
      .resume()
      .on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new ServerClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'gb_test');
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const job: Job = {
  id: 7,
  scheduleId: null,
  slot: null,
  status: 'running',
  suites: ['calls'],
  modes: ['gil', 'nogil'],
  labels: [],
  profile: 'quick',
  machineId: null,
  claimedBy: 3,
  claimedAt: 1000,
  leaseExpiresAt: 901_000,
  leaseSeconds: 900,
  attempts: 1,
  progress: null,
  runId: null,
  error: null,
  createdAt: 900,
  updatedAt: 1000,
  finishedAt: null,
};
const machine = sampleRun().machine;

describe('ServerClient', () => {
  it('reads a claimed job with its id as a string, and no job as null', async () => {
    answer = { job };
    expect(await client.claim({ labels: [] })).toEqual({ ...job, id: '7' });
    answer = { job: null };
    expect(await client.claim({ labels: [] })).toBeNull();
  });

  it('turns an enrollment answer into the identity the agent keeps', async () => {
    const { fingerprint, hostname, os, kernel, arch, cpu, memoryBytes, labels, details } = machine;
    const info = { id: 3, fingerprint, hostname, os, kernel, arch, cpu, memoryBytes, labels, details };
    const record = {
      ...info,
      declaredLabels: labels ?? [],
      firstSeen: 1,
      lastSeen: 1,
      runCount: 0,
      latestRun: null,
      openRegressions: 0,
    };
    answer = { machineId: 3, token: 'gb_agent', machine: record };
    expect(await client.enroll(machine)).toEqual({ machineId: '3', token: 'gb_agent', requestId: null });
    // The machine record must be whole: an answer the contract refuses is not half-used.
    answer = { machineId: 3, token: 'gb_agent', machine: { id: 3 } };
    await expect(client.enroll(machine)).rejects.toThrow(ServerReplyInvalid);
  });

  it('refuses an answer that is not what the contract says, naming the endpoint and the field', async () => {
    answer = { job: { ...job, suites: 'calls' } };
    const err = await client.claim({ labels: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerReplyInvalid);
    expect((err as Error).message).toMatch(/^POST \/jobs\/claim: .*job\.suites/);
    answer = { id: 7, suites: ['calls'], modes: ['gil'] }; // a bare job, not {job}
    await expect(client.claim({ labels: [] })).rejects.toThrow(ServerReplyInvalid);
  });
});
