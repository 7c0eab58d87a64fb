import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../harness/errors.ts';
import { type AgentState, normalizeServerUrl, readAgentState, writeAgentState } from './state.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gilbench-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const state: AgentState = {
  server: 'http://127.0.0.1:8080',
  machineId: '7',
  token: 'gb_abc_secret',
  fingerprint: '0123456789abcdef',
  enrolledAt: '2026-01-02T03:04:05.000Z',
};

describe('agent state file', () => {
  it('is null before the first enrollment', () => {
    expect(readAgentState(path.join(dir, 'agent.json'))).toBeNull();
  });

  it('round-trips, with mode 0600 and no temporary file left', () => {
    const file = path.join(dir, 'nested', 'agent.json');
    writeAgentState(file, state);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readAgentState(file)).toEqual(state);
    expect(readdirSync(path.dirname(file))).toEqual(['agent.json']);
  });

  it('replaces an earlier identity atomically', () => {
    const file = path.join(dir, 'agent.json');
    writeAgentState(file, state);
    writeAgentState(file, { ...state, machineId: '8' });
    expect(readAgentState(file)?.machineId).toBe('8');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('takes back a mode that lets others read the token', () => {
    const file = path.join(dir, 'agent.json');
    writeAgentState(file, state);
    chmodSync(file, 0o644);
    readAgentState(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a damaged file with a message naming it, and leaves it as it was', () => {
    const file = path.join(dir, 'agent.json');
    writeFileSync(file, '{"server": "http://x", "tok');
    expect(() => readAgentState(file)).toThrow(UsageError);
    expect(() => readAgentState(file)).toThrow(file);
    expect(readFileSync(file, 'utf8')).toBe('{"server": "http://x", "tok');
  });
});

describe('normalizeServerUrl', () => {
  it('drops trailing slashes', () => {
    expect(normalizeServerUrl('http://ci:8080/')).toBe('http://ci:8080');
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => normalizeServerUrl('ci:8080')).toThrow(UsageError);
    expect(() => normalizeServerUrl('not a url')).toThrow(UsageError);
  });
});
