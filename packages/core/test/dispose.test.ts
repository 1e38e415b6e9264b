/** `await using service = createNotificationService(…)` closes the service, its transports and its store. */
import { describe, expect, it } from 'vitest';
import { createNotificationService, isHeraldError, type NotificationService } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { recordingTransport, referenceRequest } from './support.js';

describe('the service as an AsyncDisposable', () => {
  it('is closed, with its transports and store, once the block that declared it ends', async () => {
    const store = createMemoryStore();
    const transport = recordingTransport();
    let transportClosed = false;
    const closing = Object.assign(transport, {
      close: () => {
        transportClosed = true;
      },
    });
    let kept: NotificationService | undefined;
    {
      await using service = createNotificationService({ store, transports: [closing] });
      kept = service;
      await service.subscriptions.create('alice', { targetHostName: 'graphnotifications.sample.windows.com', platformType: 'windows', transport: 'test', address: 'pc' });
      await service.send(referenceRequest(Date.now()), { userId: 'alice' });
      await service.drain();
      expect(transport.calls).toHaveLength(1);
      expect(service.running).toBe(true);
    }
    expect(kept.running).toBe(false);
    expect(transportClosed).toBe(true);
    await expect(kept.send(referenceRequest(Date.now()), { userId: 'alice' })).rejects.toSatisfy((error) => isHeraldError(error, 'SERVICE_CLOSED'));
    await expect(store.listSubscriptions('alice')).rejects.toSatisfy((error) => isHeraldError(error, 'STORE_CLOSED'));
  });
});
