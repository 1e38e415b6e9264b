import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationService } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { createApp } from '../src/app.js';
import { useLoopbackOnly } from '@herald/testing';

// Every connection these tests open must stay on loopback.
useLoopbackOnly();

const service = createNotificationService({ store: createMemoryStore(), transports: [{ name: 'console', send: async () => undefined }] });
let base = '';
let close: () => Promise<void>;
beforeAll(async () => {
  const server = createApp(service).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await service.close();
  };
});
afterAll(() => close());

describe('Herald inside an Express app', () => {
  it('serves the app’s routes and Herald’s, with the app’s authentication', async () => {
    expect(await (await fetch(`${base}/api/hello`)).json()).toEqual({ hello: 'world' });
    const echoed = await fetch(`${base}/api/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 1 }) });
    expect(await echoed.json()).toEqual({ echo: { a: 1 } });
    const subscribed = await fetch(`${base}/graph/me/notifications/subscriptions`, {
      method: 'POST',
      headers: { authorization: 'Bearer token-alice', 'content-type': 'application/json' },
      body: JSON.stringify({ targetHostName: 'app.example', platformType: 'android', transport: 'console', address: 'phone' }),
    });
    expect(subscribed.status).toBe(201);
    const { id } = (await subscribed.json()) as { id: string };
    const sent = await fetch(`${base}/graph/me/notifications`, {
      method: 'POST',
      headers: { authorization: 'Bearer token-backend', 'content-type': 'application/json', 'x-uns-id': id },
      body: JSON.stringify({ targetHostName: 'app.example', appNotificationId: 'hello', payload: { visualContent: { title: 'Hello' } } }),
    });
    expect(sent.status).toBe(201);
    expect(sent.headers.get('location')).toMatch(new RegExp(`^${base}/graph/me/notifications/`));
    const feed = (await (await fetch(`${base}/graph/me/notifications`, { headers: { authorization: 'Bearer token-alice' } })).json()) as { value: unknown[] };
    expect(feed.value).toHaveLength(1);
    expect((await fetch(`${base}/graph/me/notifications`, { headers: { authorization: 'Bearer nobody' } })).status).toBe(401);
  });
});
