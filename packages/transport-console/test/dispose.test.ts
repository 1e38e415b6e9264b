/** `await using` a console transport closes it when the block ends. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TransportError, type Endpoint, type TransportMessage } from '@herald/core/transport';
import { sampleStoredNotification } from '@herald/testing';
import { createConsoleTransport } from '@herald/transport-console';

describe('the console transport as an AsyncDisposable', () => {
  it('is closed once the block that declared it ends', async () => {
    const stream = new PassThrough();
    let written = '';
    stream.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
    const message: TransportMessage = { deliveryId: 'd-1', attempt: 1, kind: 'notification', notification: sampleStoredNotification() };
    const endpoint: Endpoint = { subscriptionId: 's-1', userId: 'u-1', targetHostName: 'chat.example.com', platformType: 'ios', address: 'phone' };
    const context = () => ({ signal: new AbortController().signal, now: Date.now() });
    let kept: ReturnType<typeof createConsoleTransport> | undefined;
    {
      await using transport = createConsoleTransport({ stream });
      kept = transport;
      await transport.send(message, endpoint, context());
    }
    expect(written).toContain('delivery d-1');
    await expect(kept.send(message, endpoint, context())).rejects.toSatisfy((error) => error instanceof TransportError && error.message.includes('the transport is closed'));
  });
});
