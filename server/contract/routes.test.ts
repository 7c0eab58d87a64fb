/**
 * The route table against the contract: every route declares the schemas of
 * what it reads and what it answers, and what the real app answers (SQLite,
 * the seeded database) is exactly what its response schema describes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tempDir } from '../../harness/test-support/index.ts';
import { openApp } from '../app.ts';
import { ROUTES, type RouteDef } from '../routes.ts';
import { copyDatabase, type Seed, seedDatabase } from '../test-support/index.ts';
import { EXAMPLES } from '../test-support/route-examples.ts';

const key = (r: RouteDef) => `${r.method} ${r.path}`;
const pathParams = (path: string) => [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!).sort();
const keysOf = (schema: z.ZodType | undefined) =>
  schema instanceof z.ZodObject ? Object.keys(schema.shape).sort() : schema ? ['(not an object)'] : [];

describe('the route table', () => {
  it('gives every route a response schema, and a params schema naming exactly its path parameters', () => {
    const problems: string[] = [];
    for (const route of ROUTES) {
      if (!(route.response instanceof z.ZodType)) problems.push(`${key(route)}: no response schema`);
      const named = keysOf(route.params);
      if (JSON.stringify(named) !== JSON.stringify(pathParams(route.path))) {
        problems.push(`${key(route)}: params schema has [${named}], the path has [${pathParams(route.path)}]`);
      }
      if (route.query && !(route.query instanceof z.ZodObject)) problems.push(`${key(route)}: query is not an object`);
    }
    expect(problems).toEqual([]);
  });
});

describe('answers of the real app', () => {
  const { dir, remove } = tempDir();
  let seed: Seed;

  beforeAll(async () => {
    seed = await seedDatabase(`${dir}/seed.db`);
  });
  afterAll(remove);

  it('give a body schema to exactly the routes whose example sends a body', () => {
    const withBody = ROUTES.filter((r) => EXAMPLES[key(r)]?.(seed).body !== undefined).map(key);
    expect(ROUTES.filter((r) => r.body).map(key)).toEqual(withBody);
  });

  for (const route of ROUTES) {
    it(`${key(route)} answers what its response schema describes, field for field`, async () => {
      const example = EXAMPLES[key(route)];
      expect(example, 'an example in route-examples.ts').toBeDefined();
      const { path, body } = example!(seed);
      const app = await openApp({ db: copyDatabase(seed.file, dir) });
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${seed.tokens.admin}` };
        if (body !== undefined) headers['content-type'] = 'application/json';
        const response = await app.request(path, {
          method: route.method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        // A route that answers another type than JSON (a feed, a badge) is checked as text.
        const text = await response.text();
        const json: unknown = route.contentType && response.ok ? text : JSON.parse(text);
        if (route.contentType && response.ok) expect(response.headers.get('content-type')).toBe(route.contentType);
        expect(response.status, JSON.stringify(json).slice(0, 300)).toBe(route.success);
        const parsed = route.response.safeParse(json);
        expect(parsed.error?.issues ?? [], 'issues').toEqual([]);
        // zod drops keys a schema does not name: equal means the contract names every field sent.
        expect(parsed.data).toEqual(json);
      } finally {
        app.close();
      }
    });
  }
});
