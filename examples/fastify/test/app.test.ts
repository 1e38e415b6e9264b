import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createNotificationService } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { createApp } from '../src/app.js';
import { useLoopbackOnly } from '@herald/testing';

// Every connection these tests open must stay on loopback.
useLoopbackOnly();

let app: FastifyInstance;
let base = '';
beforeAll(async () => {
  app = await createApp(createNotificationService({ store: createMemoryStore(), transports: [{ name: 'console', send: async () => undefined }] }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(() => app.close());

describe('Herald inside a Fastify app', () => {
  it('serves the app’s routes and Herald’s', async () => {
    expect(await (await fetch(`${base}/api/hello`)).json()).toEqual({ hello: 'world' });
    const subscribed = await fetch(`${base}/graph/me/notifications/subscriptions`, {
      method: 'POST',
      headers: { authorization: 'Bearer alice', 'content-type': 'application/json' },
      body: JSON.stringify({ targetHostName: 'app.example', platformType: 'ios', transport: 'console', address: 'phone' }),
    });
    expect(subscribed.status).toBe(201);
    const { id } = (await subscribed.json()) as { id: string };
    const sent = await fetch(`${base}/graph/me/notifications`, {
      method: 'POST',
      headers: { authorization: 'Bearer backend', 'content-type': 'application/json', 'x-uns-id': id },
      body: JSON.stringify([{ targetHostName: 'app.example' }]),
    });
    expect(sent.status).toBe(400);
    expect(((await sent.json()) as { error: { code: string } }).error.code).toBe('ARRAY_BODY');
  });
});
