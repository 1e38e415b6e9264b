import { afterEach, describe, expect, it } from 'vitest';
import { createRedisStore } from '@herald/store-redis';
import { createTestService, heraldMatchers, type TestService } from '@herald/testing';
import { startRedisServer } from '../../store-redis/test/redis-server.js';

expect.extend(heraldMatchers);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** The same app test, whatever the store. */
async function scenario(herald: TestService): Promise<void> {
  await herald.subscribe('ada', ['ios', 'android']);
  herald.transport.when({ platformType: 'android' }).failTimes(2);
  await herald.service.send(
    { targetHostName: 'app.example', appNotificationId: 'c1', payload: { visualContent: { title: 'New comment' } }, groupName: 'post-7' },
    { userId: 'ada' },
    { sendAt: herald.clock.now() + 60_000 },
  );
  await herald.advance('59s');
  await expect(herald).not.toHaveDeliveredTo('ios');
  await herald.runAll();
  await expect(herald).toHaveDeliveredTo('ios');
  await expect(herald).toHaveDeliveredTo('android');
  expect(herald.transport.deliveries.filter((d) => d.endpoint.platformType === 'android').map((d) => d.outcome)).toEqual(['retryable', 'retryable', 'delivered']);
  await expect(herald).toHaveInFeed('ada', { groupName: 'post-7' });
  await expect(herald).toHaveUnreadCount('ada', 1);
}

describe('the test kit on other stores', () => {
  it('runs an app test on the Redis store, driven by the fake clock', async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.destroy());
    const herald = await createTestService({ store: await createRedisStore({ url: redis.url, prefix: 'kit' }), service: { dispatcher: { pollIntervalMs: 60_000 } } });
    cleanups.push(() => herald.close());
    await scenario(herald);
  });
});
