import { describe, expect, it } from 'vitest';
import { IdParam } from './common.ts';
import { HeartbeatBody } from './machines.ts';
import { RunsQuery } from './runs.ts';

describe('ids and numbers in paths and query strings', () => {
  it('read plain decimal digits only, so one row has one spelling', () => {
    expect(IdParam.parse({ id: '42' })).toEqual({ id: 42 });
    for (const spelling of ['0x1', '1e0', '1.0', ' 1', '01', '+1', '0', '-1', '', 'abc', '99999999999999999']) {
      expect(IdParam.safeParse({ id: spelling }).success, JSON.stringify(spelling)).toBe(false);
    }
  });

  it('keep defaults and bounds of query numbers', () => {
    expect(RunsQuery.parse({})).toMatchObject({ limit: 100 });
    expect(RunsQuery.parse({ limit: '10', before: '0' })).toMatchObject({ limit: 10, before: 0 });
    expect(RunsQuery.safeParse({ limit: '1e1' }).success).toBe(false);
    expect(RunsQuery.safeParse({ limit: '1001' }).success).toBe(false);
  });

  it('still take JSON numbers in bodies', () => {
    expect(HeartbeatBody.parse({ machineId: 3 })).toMatchObject({ machineId: 3 });
    expect(HeartbeatBody.safeParse({ machineId: '3x' }).success).toBe(false);
    expect(HeartbeatBody.safeParse({ machineId: 1.5 }).success).toBe(false);
  });
});
