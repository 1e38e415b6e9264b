import { afterEach, describe, expect, it } from 'vitest';
import { app, harness, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.service.close();
});

const request = { targetHostName: app, platformType: 'iOS', transport: 'test', address: 'device-token-1' };

describe('subscriptions', () => {
  it('creates with an unguessable id and a default lifetime, and lists by user', async () => {
    h = await harness();
    const created: string[] = [];
    h.service.on('subscription.created', (event) => created.push(event.subscription.id));
    const a = await h.service.subscriptions.create('alice', request);
    const b = await h.service.subscriptions.create('alice', { ...request, platformType: 'android' });
    await h.service.subscriptions.create('bob', request);
    expect(a).toMatchObject({ userId: 'alice', platformType: 'ios', status: 'active', transport: 'test', address: 'device-token-1' });
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(a.expirationDateTime) - h.clock.now()).toBe(30 * 86_400_000);
    expect((await h.service.subscriptions.list('alice')).map((s) => s.id)).toEqual([a.id, b.id]);
    expect(await h.service.subscriptions.get(a.id)).toEqual(a);
    expect(created).toHaveLength(3);
  });

  it('refuses an unknown transport, a bad request and a bad expiry', async () => {
    h = await harness();
    await expect(h.service.subscriptions.create('alice', { ...request, transport: 'pigeon' })).rejects.toMatchObject({ code: 'UNKNOWN_TRANSPORT' });
    await expect(h.service.subscriptions.create('alice', { ...request, platformType: 'palm' })).rejects.toMatchObject({ code: 'CONTRACT_MISMATCH' });
    await expect(h.service.subscriptions.create('alice', { ...request, expirationDateTime: '2020-01-01T00:00:00Z' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(h.service.subscriptions.create('alice', { ...request, expirationDateTime: '2030-01-01T00:00:00Z' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(h.service.subscriptions.create('', request)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('caps the subscriptions of one user', async () => {
    h = await harness({ maxSubscriptionsPerUser: 2 });
    await h.service.subscriptions.create('alice', request);
    await h.service.subscriptions.create('alice', request);
    await expect(h.service.subscriptions.create('alice', request)).rejects.toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS' });
  });

  it('renews, reviving an expired subscription but not a deactivated one', async () => {
    h = await harness();
    const a = await h.service.subscriptions.create('alice', { ...request, expirationDateTime: new Date(h.clock.now() + 60_000).toISOString() });
    const expired: string[] = [];
    h.service.on('subscription.expired', (event) => expired.push(event.subscription.id));
    await h.clock.advance('2m');
    await h.service.purgeExpired();
    expect(expired).toEqual([a.id]);
    expect(await h.service.subscriptions.get(a.id)).toMatchObject({ status: 'inactive', statusReason: 'expired' });
    const renewed = await h.service.subscriptions.renew(a.id);
    expect(renewed).toMatchObject({ status: 'active' });
    expect(renewed.statusReason).toBeUndefined();
    expect(Date.parse(renewed.expirationDateTime)).toBe(h.clock.now() + 30 * 86_400_000);

    await h.service.subscriptions.deactivate(a.id, 'user logged out');
    await expect(h.service.subscriptions.renew(a.id)).rejects.toMatchObject({ code: 'SUBSCRIPTION_INACTIVE' });
    await expect(h.service.subscriptions.renew('missing')).rejects.toMatchObject({ code: 'SUBSCRIPTION_NOT_FOUND' });
    await expect(h.service.subscriptions.deactivate('missing', 'x')).rejects.toMatchObject({ code: 'SUBSCRIPTION_NOT_FOUND' });
  });

  it('deletes', async () => {
    h = await harness();
    const a = await h.service.subscriptions.create('alice', request);
    expect(await h.service.subscriptions.delete(a.id)).toBe(true);
    expect(await h.service.subscriptions.delete(a.id)).toBe(false);
    expect(await h.service.subscriptions.get(a.id)).toBeUndefined();
  });
});
