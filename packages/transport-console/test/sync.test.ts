/**
 * Sync messages through the console transport: a line per sync (text and JSON), end to
 * end from a state change or a deletion on the memory store, never to the endpoint that
 * made it.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createNotificationService } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { createFakeClock, sampleApp, sampleRequest, sampleSyncMessage } from '@herald/testing';
import { createConsoleTransport } from '@herald/transport-console';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
}

const endpoint = { subscriptionId: 's-1', userId: 'alice', targetHostName: sampleApp, platformType: 'ios' as const, address: 'alice-iphone', secret: 'whsec_hidden' };
const now = Date.parse('2026-01-01T00:00:01.000Z');

describe('the console transport and sync messages', () => {
  it('writes a readable line per sync: the notification, its state or its deletion, the delivery and attempt', async () => {
    const out = capture();
    const transport = createConsoleTransport({ stream: out.stream });
    const changed = sampleSyncMessage({ deliveryId: 'd-1', attempt: 2 }, now);
    await transport.sendSync?.(changed, endpoint, { signal: new AbortController().signal, now });
    await transport.sendSync?.({ ...changed, deliveryId: 'd-2', attempt: 1, sync: { ...changed.sync, type: 'deleted', userActionState: 'dismissed' } }, endpoint, { signal: new AbortController().signal, now });
    expect(out.text()).toBe(
      `2026-01-01T00:00:01.000Z [herald] ios endpoint of alice (alice-iphone): sync of ${changed.sync.notificationId} — read, noInteraction [delivery d-1 · attempt 2]\n` +
        `2026-01-01T00:00:01.000Z [herald] ios endpoint of alice (alice-iphone): sync of ${changed.sync.notificationId} — deleted [delivery d-2 · attempt 1]\n`,
    );
  });

  it('writes a JSON line per sync with the state, without the endpoint secret', async () => {
    const out = capture();
    const message = sampleSyncMessage({}, now);
    await createConsoleTransport({ stream: out.stream, format: 'json' }).sendSync?.(message, endpoint, { signal: new AbortController().signal, now });
    const line = JSON.parse(out.text()) as Record<string, unknown>;
    expect(line).toEqual({ time: '2026-01-01T00:00:01.000Z', deliveryId: message.deliveryId, kind: 'sync', attempt: 1, endpoint: { ...endpoint, secret: undefined }, sync: message.sync });
    expect(out.text()).not.toContain('whsec_hidden');
  });

  it('end to end: a markRead writes a sync line for the other endpoint only', async () => {
    const out = capture();
    const clock = createFakeClock();
    const service = createNotificationService({ store: createMemoryStore(), transports: [createConsoleTransport({ stream: out.stream, format: 'json' })], clock });
    try {
      const phone = await service.subscriptions.create('alice', { targetHostName: sampleApp, platformType: 'android', transport: 'console', address: 'alice-phone' });
      await service.subscriptions.create('alice', { targetHostName: sampleApp, platformType: 'windows', transport: 'console', address: 'alice-laptop' });
      const { notification } = await service.send(sampleRequest({}, clock.now()), { userId: 'alice' });
      await service.drain();
      await service.feed.markRead('alice', notification.id, { origin: phone.id });
      await service.drain();
      const lines = out.text().trim().split('\n').map((text) => JSON.parse(text) as { kind: string; endpoint: { address: string }; sync?: unknown });
      const syncs = lines.filter((line) => line.kind === 'sync');
      expect(syncs.map((line) => line.endpoint.address)).toEqual(['alice-laptop']);
      expect(syncs[0]?.sync).toMatchObject({ type: 'stateChanged', notificationId: notification.id, readState: 'read' });
    } finally {
      await service.close();
    }
  });

  it('end to end: a deletion writes a text line "deleted" for the other endpoint only', async () => {
    const out = capture();
    const clock = createFakeClock();
    const service = createNotificationService({ store: createMemoryStore(), transports: [createConsoleTransport({ stream: out.stream })], clock });
    try {
      const phone = await service.subscriptions.create('alice', { targetHostName: sampleApp, platformType: 'android', transport: 'console', address: 'alice-phone' });
      await service.subscriptions.create('alice', { targetHostName: sampleApp, platformType: 'windows', transport: 'console', address: 'alice-laptop' });
      const { notification } = await service.send(sampleRequest({}, clock.now()), { userId: 'alice' });
      await service.drain();
      expect(await service.feed.delete('alice', notification.id, { origin: phone.id })).toBe(true);
      await service.drain();
      const syncLines = out.text().trim().split('\n').filter((line) => line.includes(': sync of '));
      expect(syncLines).toHaveLength(1);
      expect(syncLines[0]).toMatch(new RegExp(`windows endpoint of alice \\(alice-laptop\\): sync of ${notification.id} — deleted \\[delivery \\S+ · attempt 1\\]$`));
    } finally {
      await service.close();
    }
  });
});

