import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '@herald/store-memory';
import { cancelReasons } from '@herald/core/store';
import { day, newDelivery, newSubscription, notificationWrite, t0 } from './fixtures.js';

describe('subscriptions', () => {
  it('creates an active subscription with a random GUID id', async () => {
    const store = createMemoryStore();
    const subscription = await store.createSubscription(newSubscription('alice', { secret: 'whsec_x' }), t0);
    expect(subscription.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(subscription).toMatchObject({
      userId: 'alice',
      status: 'active',
      secret: 'whsec_x',
      createdDateTime: new Date(t0).toISOString(),
      lastModifiedDateTime: new Date(t0).toISOString(),
      expirationDateTime: new Date(t0 + 30 * day).toISOString(),
    });
    expect(subscription).not.toHaveProperty('statusReason');
    expect(await store.getSubscription(subscription.id)).toEqual(subscription);
    const other = await store.createSubscription(newSubscription('alice'), t0);
    expect(other.id).not.toBe(subscription.id);
    expect(other).not.toHaveProperty('secret');
  });

  it('lists a user’s subscriptions oldest first, whatever their status', async () => {
    const store = createMemoryStore();
    const first = await store.createSubscription(newSubscription('alice'), t0);
    await store.createSubscription(newSubscription('bob'), t0 + 1);
    const second = await store.createSubscription(newSubscription('alice'), t0 + 2);
    await store.updateSubscription(first.id, { status: 'inactive', statusReason: 'gone' }, t0 + 3);
    expect((await store.listSubscriptions('alice')).map((subscription) => subscription.id)).toEqual([first.id, second.id]);
    expect(await store.listSubscriptions('nobody')).toEqual([]);
  });

  it('updates expiry, status and reason, and a null reason removes it', async () => {
    const store = createMemoryStore();
    const { id } = await store.createSubscription(newSubscription('alice'), t0);
    const inactive = await store.updateSubscription(id, { status: 'inactive', statusReason: 'endpoint gone: 410' }, t0 + 1);
    expect(inactive).toMatchObject({ status: 'inactive', statusReason: 'endpoint gone: 410', lastModifiedDateTime: new Date(t0 + 1).toISOString() });
    const renewed = await store.updateSubscription(id, { status: 'active', statusReason: null, expiresAt: t0 + 60 * day }, t0 + 2);
    expect(renewed).toMatchObject({ status: 'active', expirationDateTime: new Date(t0 + 60 * day).toISOString() });
    expect(renewed).not.toHaveProperty('statusReason');
    expect(await store.updateSubscription('missing', { status: 'inactive' }, t0)).toBeUndefined();
  });

  it('deletes a subscription and ends its open deliveries', async () => {
    const store = createMemoryStore();
    const { id } = await store.createSubscription(newSubscription('alice'), t0);
    await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n1', deliveries: [newDelivery({ subscriptionId: id })] }));
    expect(await store.deleteSubscription(id, t0 + 1)).toBe(true);
    expect(await store.deleteSubscription(id, t0 + 2)).toBe(false);
    expect(await store.getSubscription(id)).toBeUndefined();
    expect(await store.listSubscriptions('alice')).toEqual([]);
    expect(await store.listDeliveries('alice', 'n1')).toMatchObject([{ status: 'cancelled', lastError: { code: 'CANCELLED', message: cancelReasons.subscriptionDeleted, at: t0 + 1 } }]);
    expect(await store.claimDeliveries({ owner: 'w', now: t0, leaseMs: 1_000, limit: 1 })).toEqual([]);
  });
});
