/** `await using` a memory store closes it when the block ends. */
import { describe, expect, it } from 'vitest';
import { isHeraldError } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { sampleNotification, sampleTime } from '@herald/testing';

describe('the memory store as an AsyncDisposable', () => {
  it('is closed once the block that declared it ends', async () => {
    let kept: ReturnType<typeof createMemoryStore> | undefined;
    {
      await using store = createMemoryStore();
      kept = store;
      await store.saveNotification({ notification: sampleNotification(), deliveries: [], now: sampleTime });
    }
    await expect(kept.listFeed('user-1', { limit: 10 }, sampleTime)).rejects.toSatisfy((error) => isHeraldError(error, 'STORE_CLOSED'));
  });
});
