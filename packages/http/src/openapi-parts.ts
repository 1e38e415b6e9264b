/**
 * The pieces every path of the OpenAPI document is built from: references, JSON bodies,
 * error answers by status, path parameters.
 */
import { errorStatuses, type JsonSchema } from '@herald/core';

/** Drops the keywords that make a schema a document of its own. */
export function component(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema as Record<string, unknown>;
  return rest;
}

/** A reference to a schema of the document's components. */
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
/** A JSON body of `schema`. */
export const json = (schema: JsonSchema): JsonSchema => ({ 'application/json': { schema } });

/** The `details` of a Graph error: one entry per problem, `target` naming its field. */
export const errorDetailsSchema: JsonSchema = {
  type: 'array',
  items: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, target: { type: 'string' } } },
};

/** The error answers of a path by status, naming the codes each status carries (401, 406 and 500 always). */
export function errors(...codes: Array<keyof typeof errorStatuses>): Record<string, JsonSchema> {
  const byStatus = new Map<number, string[]>();
  for (const code of [...codes, 'UNAUTHENTICATED', 'THROTTLED', 'INTERNAL'] as const) {
    const status = errorStatuses[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [String(status), { description: [...new Set(list)].join(', '), content: json(ref('Error')) }]),
  );
}

/** A required path parameter. */
export const idParameter = (name: string, description: string): JsonSchema => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });

