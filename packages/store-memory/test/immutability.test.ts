import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '@herald/store-memory';
import { exampleContent, newDelivery, newSubscription, notificationWrite, t0 } from './fixtures.js';

/** Every object reachable from `value` is frozen. */
function expectDeepFrozen(value: unknown, path = 'record'): void {
  if (value === null || typeof value !== 'object') return;
  expect(Object.isFrozen(value), `${path} is frozen`).toBe(true);
  for (const [key, item] of Object.entries(value)) expectDeepFrozen(item, `${path}.${key}`);
}

describe('returned records', () => {
  it('are frozen all the way down, payload included', async () => {
    const store = createMemoryStore();
    const subscription = await store.createSubscription(newSubscription('alice'), t0);
    const saved = await store.saveNotification(
      notificationWrite('alice', 'a1', {
        id: 'n1',
        deliveries: [newDelivery({ subscriptionId: subscription.id })],
        content: { fallbackPolicy: { endpointFallback: { platformTypes: ['windows'], fallbackDelayInSeconds: 60, visualContent: { title: 't' } } } },
      }),
    );
    expectDeepFrozen(saved);
    expectDeepFrozen(subscription);
    expectDeepFrozen(await store.getNotification('alice', 'n1', t0));
    // Lists are fresh arrays (copies); the records in them are frozen.
    const lists = [
      (await store.listFeed('alice', { limit: 10 }, t0)).items,
      (await store.listChanges('alice', 0, 10, t0)).changes,
      await store.claimDeliveries({ owner: 'w', now: t0, leaseMs: 1_000, limit: 10 }),
      await store.listDeliveries('alice', 'n1'),
      await store.listSubscriptions('alice'),
    ];
    for (const list of lists) {
      expect(list.length).toBeGreaterThan(0);
      for (const item of list) expectDeepFrozen(item);
    }
  });

  it('cannot be used to change what the store holds', async () => {
    const store = createMemoryStore();
    const saved = await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n1', deliveries: 1 }));
    expect(() => {
      (saved.notification as { readState: string }).readState = 'read';
    }).toThrow(TypeError);
    expect(() => {
      (saved.notification.payload.visualContent as { title: string }).title = 'changed';
    }).toThrow(TypeError);
    const page = await store.listFeed('alice', { limit: 10 }, t0);
    (page.items as unknown[]).length = 0;
    expect((await store.listFeed('alice', { limit: 10 }, t0)).items).toHaveLength(1);
    const deliveries = await store.listDeliveries('alice', 'n1');
    (deliveries as unknown[]).pop();
    expect(await store.listDeliveries('alice', 'n1')).toHaveLength(1);
  });

  it('do not share objects with the caller’s input', async () => {
    const store = createMemoryStore();
    const content = exampleContent({ appNotificationId: 'a1' });
    const write = { notification: { ...content, id: 'n1', userId: 'alice' }, deliveries: [], now: t0 };
    await store.saveNotification(write);
    (content.payload.visualContent as { title: string }).title = 'changed by the caller';
    content.targetPolicy?.platformTypes?.push('webpush');
    const stored = await store.getNotification('alice', 'n1', t0);
    expect(stored?.payload.visualContent?.title).toBe('Hello World!');
    expect(stored?.targetPolicy?.platformTypes).toEqual(['windows', 'ios', 'android']);
    expect(Object.isFrozen(content.payload)).toBe(false);
  });
});
