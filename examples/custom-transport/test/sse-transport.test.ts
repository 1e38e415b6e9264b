import { get, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSseDemo, type SseDemo } from '../src/server.js';
import { useLoopbackOnly } from '@herald/testing';

// Every connection these tests open must stay on loopback.
useLoopbackOnly();

let demo: SseDemo | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

function post(port: number, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('the SSE transport example', () => {
  it('pushes a notification to a connected browser stream, with the delivery id as the event id', async () => {
    demo = createSseDemo();
    await new Promise<void>((resolve) => demo?.server.listen(0, '127.0.0.1', resolve));
    const { port } = demo.server.address() as AddressInfo;

    let text = '';
    const event = new Promise<string>((resolve) => {
      get({ host: '127.0.0.1', port, path: '/events?address=tab-1' }, (res) => {
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (text.includes('event: notification')) resolve(text);
        });
      });
    });
    await expect.poll(() => text).toContain(': connected');

    expect(await post(port, '/subscribe?user=alice', { targetHostName: 'app.example', platformType: 'webpush', transport: 'sse', address: 'tab-1' })).toBe(201);
    expect(await post(port, '/send?user=alice', { targetHostName: 'app.example', appNotificationId: 'n1', payload: { visualContent: { title: 'Hi' } } })).toBe(201);
    const received = await event;
    expect(received).toMatch(/id: [0-9a-f-]{36}\nevent: notification\ndata: \{.*"title":"Hi"/);
    expect(await post(port, '/send?user=alice', { targetHostName: 'app.example', payload: {} })).toBe(400);
  });
});
