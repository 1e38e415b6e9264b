/**
 * The Fastify anchor: what an app writes by hand instead of Herald's route. It validates
 * the body with the contract's JSON Schema (`notificationSchema`, published by
 * @herald/core; draft 2020-12, so compiled with ajv's 2020 build and ajv-formats for
 * `date-time`), stores the record in a Map and answers 201 with it and a Location.
 */
import { randomUUID } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import Fastify, { type FastifyInstance } from 'fastify';
import { notificationSchema } from '@herald/core';

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** A Fastify app with `POST /me/notifications`, not yet listening. */
export function fastifyAnchor(): FastifyInstance {
  const ajv = new Ajv2020({ allErrors: false, strict: true });
  addFormats(ajv);
  const app = Fastify();
  // Fastify's built-in ajv speaks draft-07; the contract's schema declares 2020-12.
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  const notifications = new Map<string, Record<string, unknown>>();
  app.post('/me/notifications', { schema: { body: notificationSchema } }, async (request, reply) => {
    const id = randomUUID();
    const now = new Date().toISOString();
    const record = { ...(request.body as Record<string, unknown>), id, createdDateTime: now, lastModifiedDateTime: now, readState: 'unread', userActionState: 'noInteraction' };
    notifications.set(id, record);
    return reply.code(201).header('location', `/me/notifications/${id}`).send(record);
  });
  return app;
}
