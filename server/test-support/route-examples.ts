/**
 * One example request for every route of the table, against the database of
 * `seedDatabase` (database.ts): the authorisation matrix sends each one as
 * every kind of caller, and the contract test checks the answers' shapes.
 *
 * @example
 * const { path, body } = EXAMPLES['GET /api/v1/machines/:id']!(seed);
 */
import type { Seed } from './database.ts';

export interface Example {
  path: string;
  body?: unknown;
}

/** One request per route (by `METHOD path`) that succeeds for a caller allowed to make it. */
export const EXAMPLES: Record<string, (s: Seed) => Example> = {
  'GET /api/v1/health': () => ({ path: '/api/v1/health' }),
  'GET /api/v1/openapi.json': () => ({ path: '/api/v1/openapi.json' }),
  'GET /api/v1/session': () => ({ path: '/api/v1/session' }),
  'POST /api/v1/agents/enroll': (s) => ({ path: '/api/v1/agents/enroll', body: { machine: s.newMachine } }),
  'POST /api/v1/agents/heartbeat': (s) => ({
    path: '/api/v1/agents/heartbeat',
    body: { status: 'idle', machineId: s.machineA.id, machine: s.machineA.facts },
  }),
  'GET /api/v1/machines': () => ({ path: '/api/v1/machines' }),
  'GET /api/v1/machines/:id': (s) => ({ path: `/api/v1/machines/${s.machineA.id}` }),
  'GET /api/v1/machines/:id/trends': (s) => ({ path: `/api/v1/machines/${s.machineA.id}/trends?limit=5` }),
  'PATCH /api/v1/machines/:id': (s) => ({ path: `/api/v1/machines/${s.machineA.id}`, body: { labels: ['x'] } }),
  'GET /api/v1/enrollments': () => ({ path: '/api/v1/enrollments?status=pending' }),
  'POST /api/v1/enrollments/:id/approve': (s) => ({ path: `/api/v1/enrollments/${s.enrollmentRequestId}/approve` }),
  'POST /api/v1/enrollments/:id/reject': (s) => ({ path: `/api/v1/enrollments/${s.enrollmentRequestId}/reject` }),
  'GET /api/v1/runs': (s) => ({ path: `/api/v1/runs?machine=${s.machineA.id}&limit=2` }),
  'POST /api/v1/runs': (s) => ({ path: '/api/v1/runs', body: s.newRunA }),
  'GET /api/v1/runs/:id': (s) => ({ path: `/api/v1/runs/${s.runsA[0]!.id}` }),
  'GET /api/v1/runs/:id/document': (s) => ({ path: `/api/v1/runs/${s.runsA[0]!.id}/document` }),
  'DELETE /api/v1/runs/:id': (s) => ({ path: `/api/v1/runs/${s.runB.id}` }),
  'GET /api/v1/runs/:id/compare': (s) => ({ path: `/api/v1/runs/${s.runsA[0]!.id}/compare?other=nogil` }),
  'GET /api/v1/runs/:id/scaling': (s) => ({ path: `/api/v1/runs/${s.runsA[0]!.id}/scaling` }),
  'GET /api/v1/runs/:id/locks': (s) => ({ path: `/api/v1/runs/${s.runsA[0]!.id}/locks` }),
  'GET /api/v1/compare': (s) => ({
    path: `/api/v1/compare?base=${s.runsA[0]!.id}&other=${s.runsA[1]!.id}&mode=nogil`,
  }),
  'GET /api/v1/series': (s) => ({ path: `/api/v1/series?machine=${s.machineA.id}&suite=calls` }),
  'GET /api/v1/series/:id': (s) => ({ path: `/api/v1/series/${s.seriesId}` }),
  'GET /api/v1/series/:id/history': (s) => ({ path: `/api/v1/series/${s.seriesId}/history` }),
  'GET /api/v1/regressions': () => ({ path: '/api/v1/regressions?status=new' }),
  'GET /api/v1/regressions/:id': (s) => ({ path: `/api/v1/regressions/${s.regressionId}` }),
  'PATCH /api/v1/regressions/:id': (s) => ({
    path: `/api/v1/regressions/${s.regressionId}`,
    body: { status: 'acknowledged', note: 'expected: new allocator' },
  }),
  'GET /api/v1/annotations': () => ({ path: '/api/v1/annotations' }),
  'POST /api/v1/annotations': (s) => ({
    path: '/api/v1/annotations',
    body: { text: 'switched to 3.14', machineId: s.machineA.id, at: Date.parse('2025-06-01T00:00:00Z') },
  }),
  'PATCH /api/v1/annotations/:id': (s) => ({ path: `/api/v1/annotations/${s.annotationId}`, body: { text: 'edited' } }),
  'DELETE /api/v1/annotations/:id': (s) => ({ path: `/api/v1/annotations/${s.annotationId}` }),
  'GET /api/v1/schedules': () => ({ path: '/api/v1/schedules' }),
  'POST /api/v1/schedules': () => ({
    path: '/api/v1/schedules',
    body: { name: 'weekly', cron: '0 4 * * 0', suites: ['locks'], modes: ['nogil'] },
  }),
  'GET /api/v1/schedules/:id': (s) => ({ path: `/api/v1/schedules/${s.scheduleId}` }),
  'PATCH /api/v1/schedules/:id': (s) => ({ path: `/api/v1/schedules/${s.scheduleId}`, body: { enabled: false } }),
  'DELETE /api/v1/schedules/:id': (s) => ({ path: `/api/v1/schedules/${s.scheduleId}` }),
  'GET /api/v1/jobs': () => ({ path: '/api/v1/jobs?status=running' }),
  'POST /api/v1/jobs': () => ({ path: '/api/v1/jobs', body: { suites: ['calls'], modes: ['gil', 'nogil'] } }),
  'GET /api/v1/jobs/:id': (s) => ({ path: `/api/v1/jobs/${s.heldJobId}` }),
  'POST /api/v1/jobs/claim': (s) => ({
    path: '/api/v1/jobs/claim',
    body: { machineId: s.machineA.id, leaseSeconds: 60 },
  }),
  'POST /api/v1/jobs/:id/progress': (s) => ({
    path: `/api/v1/jobs/${s.heldJobId}/progress`,
    body: { done: 3, total: 10, message: 'calls/positional[arity=2] nogil' },
  }),
  'POST /api/v1/jobs/:id/complete': (s) => ({
    path: `/api/v1/jobs/${s.heldJobId}/complete`,
    body: { runId: s.runsA[2]!.id },
  }),
  'POST /api/v1/jobs/:id/fail': (s) => ({
    path: `/api/v1/jobs/${s.heldJobId}/fail`,
    body: { error: 'worker crashed', requeue: true },
  }),
  'POST /api/v1/jobs/:id/cancel': (s) => ({ path: `/api/v1/jobs/${s.queuedJobId}/cancel` }),
  'GET /api/v1/tokens': () => ({ path: '/api/v1/tokens' }),
  'POST /api/v1/tokens': () => ({ path: '/api/v1/tokens', body: { role: 'enroll', name: 'lab' } }),
  'DELETE /api/v1/tokens/:id': (s) => ({ path: `/api/v1/tokens/${s.enrollTokenId}` }),
  'GET /api/v1/runs/:id/summary.md': (s) => ({ path: `/api/v1/runs/${s.runsA[0]!.id}/summary.md` }),
  'GET /feed.xml': () => ({ path: '/feed.xml' }),
  'GET /machines/:id/feed.xml': (s) => ({ path: `/machines/${s.machineA.id}/feed.xml` }),
  'GET /badges/regressions.svg': () => ({ path: '/badges/regressions.svg' }),
  'GET /badges/machines/:id/regressions.svg': (s) => ({ path: `/badges/machines/${s.machineA.id}/regressions.svg` }),
  'GET /badges/machines/:id/single-thread.svg': (s) => ({
    path: `/badges/machines/${s.machineA.id}/single-thread.svg`,
  }),
};
