import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.ts';
import { ROUTES } from './routes.ts';

// biome-ignore lint/suspicious/noExplicitAny: walking a generated JSON document
type Json = Record<string, any>;

describe('the OpenAPI document', () => {
  const doc = openApiDocument(ROUTES, { version: '0.0.0' }) as Json;
  const success = (path: string, method: string, status = 200) =>
    doc.paths[path][method].responses[status].content['application/json'].schema as Json;

  it("describes every route's success answer from the contract, field by field", () => {
    // A feed or a badge is text of its own media type, described as such.
    for (const r of ROUTES.filter((r) => r.contentType)) {
      const path = r.path.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[path].get.responses[200].content[r.contentType!].schema.type).toBe('string');
    }
    const bare = ROUTES.filter((r) => !r.contentType)
      .filter((r) => {
        const schema = success(r.path.replace(/:(\w+)/g, '{$1}'), r.method.toLowerCase(), r.success);
        return !schema.properties || Object.keys(schema.properties).length === 0;
      })
      .map((r) => `${r.method} ${r.path}`);
    expect(bare).toEqual([]);
    const machine = success('/api/v1/machines', 'get').properties.machines.items;
    expect(machine.required).toContain('openRegressions');
    expect(success('/api/v1/jobs/claim', 'post').properties.job.anyOf).toHaveLength(2); // a job or null
  });

  it('says when to come back after a 503 on every route, and a 507 (disk full) on every write', () => {
    for (const route of ROUTES) {
      const responses = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')][route.method.toLowerCase()].responses;
      expect(responses['503'], `${route.method} ${route.path}`).toEqual({ $ref: '#/components/responses/Unavailable' });
      if (route.method === 'GET') expect(responses['507']).toBeUndefined();
      else expect(responses['507']).toEqual({ $ref: '#/components/responses/InsufficientStorage' });
    }
    expect(doc.components.responses.Unavailable.headers['Retry-After'].schema.type).toBe('integer');
    expect(doc.components.responses.InsufficientStorage.content['application/json'].schema.required).toEqual([
      'error',
      'detail',
    ]);
  });

  it('describes the error body from the contract', () => {
    const schema = doc.components.responses.Error.content['application/json'].schema;
    expect(schema.required).toEqual(['error', 'detail']);
  });
});
