import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type StoredNotification } from '@herald/core';
import { TransportError, type Endpoint, type TransportMessage } from '@herald/core/transport';
import { createConsoleTransport } from '@herald/transport-console';

const notification: StoredNotification = {
  id: '119081f2-f19d-4fa8-817c-7e01092c0f7d',
  userId: 'alice',
  targetHostName: 'graphnotifications.sample.windows.com',
  appNotificationId: 'testDirectToastNotification',
  payload: { visualContent: { title: 'Hello World!', body: 'Notifications are Great!' } },
  expirationDateTime: '2026-01-03T00:00:00.000Z',
  groupName: 'TestGroup',
  createdDateTime: '2026-01-01T00:00:00.000Z',
  lastModifiedDateTime: '2026-01-01T00:00:00.000Z',
  readState: 'unread',
  userActionState: 'noInteraction',
  sequence: 1,
};
const message: TransportMessage = { deliveryId: 'd-1', kind: 'notification', attempt: 2, notification };
const endpoint: Endpoint = { subscriptionId: 's-1', userId: 'alice', targetHostName: notification.targetHostName, platformType: 'ios', address: 'alice-iphone', secret: 'whsec_hidden' };
const now = Date.parse('2026-01-01T00:00:01.000Z');

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
}

describe('the console transport', () => {
  it('writes a readable line per delivery', async () => {
    const out = capture();
    await createConsoleTransport({ stream: out.stream }).send(message, endpoint, { signal: new AbortController().signal, now });
    expect(out.text()).toBe(
      '2026-01-01T00:00:01.000Z [herald] ios endpoint of alice (alice-iphone): “Hello World!” — Notifications are Great!' +
        ' [graphnotifications.sample.windows.com · testDirectToastNotification · delivery d-1 · attempt 2]\n',
    );
  });

  it('shows raw content, fallbacks, and shortens long text to one line', async () => {
    const out = capture();
    const transport = createConsoleTransport({ stream: out.stream });
    const raw = { ...message, notification: { ...notification, payload: { rawContent: `{"a":\n${'x'.repeat(300)}}` } } };
    await transport.send(raw, endpoint, { signal: new AbortController().signal, now });
    await transport.send({ ...message, kind: 'fallback' }, endpoint, { signal: new AbortController().signal, now });
    const [first, second] = out.text().split('\n');
    expect(first).toContain('raw {"a": xxx');
    expect(first).toContain('…');
    expect(first?.length).toBeLessThan(400);
    expect(second).toContain('(fallback)');
  });

  it('writes JSON lines without the endpoint secret', async () => {
    const out = capture();
    await createConsoleTransport({ stream: out.stream, format: 'json', name: 'log' }).send(message, endpoint, { signal: new AbortController().signal, now });
    const line = JSON.parse(out.text()) as Record<string, unknown>;
    expect(line).toMatchObject({ time: '2026-01-01T00:00:01.000Z', deliveryId: 'd-1', attempt: 2, kind: 'notification', notification: { id: notification.id } });
    expect(line['endpoint']).toEqual({ subscriptionId: 's-1', userId: 'alice', targetHostName: notification.targetHostName, platformType: 'ios', address: 'alice-iphone' });
  });

  it('waits for a slow stream, and gives up when the attempt is aborted', async () => {
    let release: (() => void) | undefined;
    const slow = new Writable({
      highWaterMark: 1,
      write(_chunk, _encoding, callback) {
        release = callback;
      },
    });
    const transport = createConsoleTransport({ stream: slow });
    const first = transport.send(message, endpoint, { signal: new AbortController().signal, now });
    let settled = false;
    void first.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release?.();
    await first;
    const controller = new AbortController();
    const second = transport.send(message, endpoint, { signal: controller.signal, now });
    controller.abort(TransportError.retryable('timed out'));
    await expect(second).rejects.toMatchObject({ code: 'TRANSPORT_RETRYABLE', message: 'timed out' });
  });

  it('fails retryably when the stream breaks or the transport is closed', async () => {
    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('EPIPE'));
      },
    });
    broken.on('error', () => undefined);
    const transport = createConsoleTransport({ stream: broken });
    await expect(transport.send(message, endpoint, { signal: new AbortController().signal, now })).rejects.toMatchObject({ failure: 'retryable' });
    transport.close?.();
    transport.close?.();
    await expect(transport.send(message, endpoint, { signal: new AbortController().signal, now })).rejects.toMatchObject({ failure: 'retryable', message: expect.stringContaining('closed') });
  });

  it('refuses wrong options with a TypeError naming them', () => {
    expect(() => createConsoleTransport({ format: 'xml' as never })).toThrow(/format must be one of text, json/);
    expect(() => createConsoleTransport({ stream: {} as never })).toThrow(/stream must be a writable stream/);
  });
});
