import { describe, expect, it } from 'vitest';
import { listParam, routeHref } from './route.ts';
import { parseRoute } from './views/index.ts';

describe('routes', () => {
  it('round-trips a view and its state through the hash', () => {
    const href = routeHref('history', {
      machine: 2,
      case: 'selftest/spin[threads=2]',
      modes: ['gil', 'nogil'],
      from: undefined,
    });
    const route = parseRoute(href);
    expect(route.view).toBe('history');
    expect(route.params.get('case')).toBe('selftest/spin[threads=2]');
    expect(listParam(route.params, 'modes')).toEqual(['gil', 'nogil']);
    expect(route.params.has('from')).toBe(false);
  });

  it('opens the overview for an unknown or empty hash', () => {
    expect(parseRoute('').view).toBe('overview');
    expect(parseRoute('#/nope?x=1').view).toBe('overview');
  });
});
