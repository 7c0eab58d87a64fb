import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../harness/test-support/index.ts';
import { createScheduler, latestDueSlot, nextRunOf } from './scheduler.ts';
import { fixtureMachine, openServices } from './test-support/index.ts';

const { dir, remove: cleanup } = tempDir();
afterAll(cleanup);
const at = (iso: string) => Date.parse(iso);

describe('slots', () => {
  it('finds the latest slot due since the last one, and the next', () => {
    const daily = { cron: '0 3 * * *', timezone: 'UTC' };
    expect(latestDueSlot(daily, at('2025-06-01T03:00:00Z'), at('2025-06-02T02:59:59Z'))).toBeNull();
    expect(latestDueSlot(daily, at('2025-06-01T03:00:00Z'), at('2025-06-02T03:00:00Z'))).toBe(
      at('2025-06-02T03:00:00Z'),
    );
    // Down for three days: the latest missed slot only.
    expect(latestDueSlot(daily, at('2025-06-01T03:00:00Z'), at('2025-06-04T12:00:00Z'))).toBe(
      at('2025-06-04T03:00:00Z'),
    );
    expect(nextRunOf(daily, at('2025-06-04T12:00:00Z'))).toBe(at('2025-06-05T03:00:00Z'));
  });

  it('reads the expression in the schedule time zone', () => {
    const paris = { cron: '0 3 * * *', timezone: 'Europe/Paris' };
    expect(nextRunOf(paris, at('2025-06-04T12:00:00Z'))).toBe(at('2025-06-05T01:00:00Z')); // 03:00 CEST
  });
});

describe('createScheduler', () => {
  it('makes exactly one job per slot, across ticks and across a restart', async () => {
    const file = `${dir}/slots.db`;
    let clock = at('2025-06-01T00:00:00Z');
    const first = await openServices(file);
    const schedule = await first.createSchedule(
      { name: 'hourly', cron: '0 * * * *', suites: ['calls'], modes: ['gil', 'nogil'], labels: ['nightly'] },
      clock,
    );
    const schedulerA = createScheduler({ repo: first, now: () => clock });
    expect(await schedulerA.tick()).toEqual([]);
    clock = at('2025-06-01T01:00:00.200Z');
    const made = await schedulerA.tick();
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({
      scheduleId: schedule.id,
      slot: at('2025-06-01T01:00:00Z'),
      suites: ['calls'],
      modes: ['gil', 'nogil'],
      labels: ['nightly'],
      status: 'queued',
    });
    expect(await schedulerA.tick()).toEqual([]);
    await first.close();

    // A new process on the same file, in the same slot: nothing new.
    const second = await openServices(file);
    const schedulerB = createScheduler({ repo: second, now: () => clock });
    expect(await schedulerB.tick()).toEqual([]);
    // Down from 01:00 to 04:30: one job, for 04:00.
    clock = at('2025-06-01T04:30:00Z');
    expect((await schedulerB.tick()).map((j) => j.slot)).toEqual([at('2025-06-01T04:00:00Z')]);
    const slots = (await second.listJobs({ schedule: schedule.id })).map((j) => j.slot);
    expect(slots.sort()).toEqual([at('2025-06-01T01:00:00Z'), at('2025-06-01T04:00:00Z')]);
    await second.close();
  });

  it('makes no jobs for a disabled schedule, nor for slots before it existed', async () => {
    const repo = await openServices(`${dir}/disabled.db`);
    let clock = at('2025-06-01T00:30:00Z');
    const s = await repo.createSchedule({ name: 'n', cron: '0 * * * *', suites: ['a'], modes: ['gil'] }, clock);
    const scheduler = createScheduler({ repo, now: () => clock });
    expect(await scheduler.tick()).toEqual([]); // the 00:00 slot came before the schedule
    await repo.updateSchedule(s.id, { enabled: false }, clock);
    clock = at('2025-06-01T02:00:00Z');
    expect(await scheduler.tick()).toEqual([]);
    await repo.close();
  });

  it('returns jobs whose lease expired to the queue on each tick', async () => {
    const repo = await openServices(`${dir}/leases.db`);
    let clock = at('2025-06-01T00:00:00Z');
    const machine = (await repo.enrollMachine(fixtureMachine(1), clock)).machine.id;
    const job = await repo.createJob({ suites: ['a'], modes: ['gil'] }, clock);
    await repo.claimJob(machine, 60, clock);
    const scheduler = createScheduler({ repo, now: () => clock });
    clock += 59_000;
    await scheduler.tick();
    expect((await repo.getJob(job.id))!.status).toBe('running');
    clock += 2_000;
    await scheduler.tick();
    expect((await repo.getJob(job.id))!).toMatchObject({ status: 'queued', claimedBy: null });
    await repo.close();
  });
});
