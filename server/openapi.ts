/**
 * The API described in OpenAPI 3.1, generated from the route table and the
 * contract's zod schemas of each route's request and response (zod 4's JSON
 * Schema output), served at /api/v1/openapi.json.
 *
 * @example
 * const doc = openApiDocument(ROUTES, { version: '0.1.0' });
 */
import { z } from 'zod';
import { ErrorBody, type OpenApiDocument } from './contract/index.ts';
import type { RouteDef } from './routes.ts';

const ACCESS_TEXT: Record<RouteDef['access'], string> = {
  open: 'anyone',
  read: 'admin or agent token; anyone when the server runs with --public',
  operator: 'admin or agent token',
  enroll: 'enrollment or admin token',
  agent: 'agent or admin token',
  admin: 'admin token',
};

/** A request's schema as what it accepts (`input`), a response's as what it sends (`output`). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function parameters(route: RouteDef): unknown[] {
  const out: unknown[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  return out;
}

/** The OpenAPI document of these routes. */
export function openApiDocument(routes: readonly RouteDef[], info: { version: string }): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const secured = route.access !== 'open';
    const operation: Record<string, unknown> = {
      summary: route.summary,
      description: `Who may call: ${ACCESS_TEXT[route.access]}${route.machineScoped ? "; an agent only for its own machine's resources" : ''}.`,
      'x-gilbench-access': route.access,
      parameters: parameters(route),
      ...(secured ? { security: route.access === 'read' ? [{ bearer: [] }, {}] : [{ bearer: [] }] } : {}),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } } }
        : {}),
      responses: {
        [route.success]: {
          description: 'success',
          content: { [route.contentType ?? 'application/json']: { schema: jsonSchema(route.response, 'output') } },
        },
        '4XX': { $ref: '#/components/responses/Error' },
        // Any route, when the database is locked elsewhere past the retries; uploads when the
        // ingest queue is full; comparisons when the pool is full or over its time budget.
        '503': { $ref: '#/components/responses/Unavailable' },
        ...(route.method === 'GET' ? {} : { '507': { $ref: '#/components/responses/InsufficientStorage' } }),
      },
    };
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'gilbench server',
      version: info.version,
      description:
        'Run documents, series history, comparisons, regressions, annotations, schedules and jobs. Times are milliseconds since the epoch; times per operation are ns. Errors are {error, detail}. See server/API.md.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      responses: {
        Error: {
          description: 'the request was refused: {error: a short code, detail: what is wrong}',
          content: {
            'application/json': { schema: jsonSchema(ErrorBody, 'output') },
          },
        },
        Unavailable: {
          description:
            'busy for now (the upload queue or the comparison pool is full, a comparison ran past its time budget, or the database is locked by another process): try again after Retry-After seconds; {error: "unavailable", detail}',
          headers: {
            'Retry-After': {
              description: 'seconds to wait before trying again',
              schema: { type: 'integer', minimum: 1 },
            },
          },
          content: { 'application/json': { schema: jsonSchema(ErrorBody, 'output') } },
        },
        InsufficientStorage: {
          description:
            'the server has no room to store this (its disk is full); nothing was stored and reads still work; {error: "insufficient-storage", detail}',
          content: { 'application/json': { schema: jsonSchema(ErrorBody, 'output') } },
        },
      },
    },
  };
}
