/**
 * Cross-device sync over HTTP: a PATCH or a DELETE tells the user's other endpoints;
 * X-UNS-ID names the endpoint making the change, which is not told.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Transport } from '@herald/core';
import type { SyncMessage } from '@herald/core/transport';
import { referenceBody, startApi, type Api } from './support.js';

let api: Api | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const as = (user: string) => ({ authorization: `Bearer ${user}` });

async function setUp() {
  const syncs: Array<{ subscriptionId: string; message: SyncMessage }> = [];
  const carrier: Transport = {
    name: 'test',
    async send() {},
    async sendSync(message, endpoint) {
      syncs.push({ subscriptionId: endpoint.subscriptionId, message });
    },
  };
  const started = await startApi({}, { transports: [carrier] });
  api = started;
  const phone = await started.subscribe('alice', 'android');
  const laptop = await started.subscribe('alice', 'windows');
  const sent = await started.call('POST', '/me/notifications', { headers: { ...as('server'), 'x-uns-id': phone }, body: referenceBody() });
  expect(sent.status).toBe(201);
  const id = sent.json()['id'] as string;
  await started.service.drain();
  return { api: started, syncs, phone, laptop, id };
}

describe('PATCH /me/notifications/{id} and cross-device sync', () => {
  it('tells the other endpoints, not the one named by X-UNS-ID', async () => {
    const t = await setUp();
    const answer = await t.api.call('PATCH', `/me/notifications/${t.id}`, { headers: { ...as('alice'), 'x-uns-id': t.phone }, body: { readState: 'read' } });
    expect(answer.status).toBe(200);
    await t.api.service.drain();
    expect(t.syncs.map((sync) => sync.subscriptionId)).toEqual([t.laptop]);
    expect(t.syncs[0]?.message.sync).toMatchObject({ type: 'stateChanged', notificationId: t.id, readState: 'read', userActionState: 'noInteraction' });
  });

  it('without X-UNS-ID tells every endpoint', async () => {
    const t = await setUp();
    expect((await t.api.call('PATCH', `/me/notifications/${t.id}`, { headers: as('alice'), body: { userActionState: 'dismissed' } })).status).toBe(200);
    await t.api.service.drain();
    expect(t.syncs.map((sync) => sync.subscriptionId).sort()).toEqual([t.phone, t.laptop].sort());
  });

  it('refuses a malformed X-UNS-ID with 400 and changes nothing', async () => {
    const t = await setUp();
    const answer = await t.api.call('PATCH', `/me/notifications/${t.id}`, { headers: { ...as('alice'), 'x-uns-id': 'a'.repeat(300) }, body: { readState: 'read' } });
    expect(answer.status).toBe(400);
    expect((await t.api.service.feed.get('alice', t.id))?.readState).toBe('unread');
    await t.api.service.drain();
    expect(t.syncs).toEqual([]);
  });
});

describe('DELETE /me/notifications/{id} and cross-device sync', () => {
  it('tells the other endpoints the notification is gone, not the one named by X-UNS-ID', async () => {
    const t = await setUp();
    const answer = await t.api.call('DELETE', `/me/notifications/${t.id}`, { headers: { ...as('alice'), 'x-uns-id': t.phone } });
    expect(answer.status).toBe(204);
    await t.api.service.drain();
    expect(t.syncs.map((sync) => sync.subscriptionId)).toEqual([t.laptop]);
    expect(t.syncs[0]?.message.sync).toMatchObject({ type: 'deleted', notificationId: t.id, userId: 'alice', readState: 'read', userActionState: 'dismissed' });
  });

  it('without X-UNS-ID tells every endpoint', async () => {
    const t = await setUp();
    expect((await t.api.call('DELETE', `/me/notifications/${t.id}`, { headers: as('alice') })).status).toBe(204);
    await t.api.service.drain();
    expect(t.syncs.map((sync) => [sync.subscriptionId, sync.message.sync.type]).sort()).toEqual([
      [t.laptop, 'deleted'],
      [t.phone, 'deleted'],
    ].sort());
  });

  it('refuses a malformed X-UNS-ID with 400 and deletes nothing', async () => {
    const t = await setUp();
    const answer = await t.api.call('DELETE', `/me/notifications/${t.id}`, { headers: { ...as('alice'), 'x-uns-id': 'a'.repeat(300) } });
    expect(answer.status).toBe(400);
    expect(await t.api.service.feed.get('alice', t.id)).toBeDefined();
    await t.api.service.drain();
    expect(t.syncs).toEqual([]);
  });
});
