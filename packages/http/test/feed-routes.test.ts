import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationSchema } from '@herald/core';
import { referenceBody, startApi, type Api } from './support.js';

let api: Api;
let unsId: string;
beforeAll(async () => {
  api = await startApi();
  unsId = await api.subscribe('alice');
  await api.subscribe('bob');
});
afterAll(async () => {
  await api.close();
});

const as = (user: string) => ({ authorization: `Bearer ${user}` });

async function send(overrides: Record<string, unknown>): Promise<string> {
  const answer = await api.call('POST', '/me/notifications', { headers: { ...as('server'), 'x-uns-id': unsId }, body: referenceBody(overrides) });
  expect(answer.status).toBe(201);
  return answer.json()['id'] as string;
}

describe("the signed-in user's feed", () => {
  it('pages with $top and @odata.nextLink, and filters with $filter', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await send({ appNotificationId: `feed-${i}`, groupName: i % 2 === 0 ? 'even' : 'odd' }));
    const first = await api.call('GET', '/me/notifications?$top=2', { headers: as('alice') });
    expect(first.status).toBe(200);
    const page = first.json();
    expect((page['value'] as Array<{ id: string }>).map((n) => n.id)).toEqual([ids[4], ids[3]]);
    expect(page['@odata.context']).toContain("users('alice')/notifications");
    const next = new URL(page['@odata.nextLink'] as string);
    const second = (await api.call('GET', `${next.pathname}${next.search}`, { headers: as('alice') })).json();
    expect((second['value'] as Array<{ id: string }>).map((n) => n.id)).toEqual([ids[2], ids[1]]);

    const filtered = await api.call('GET', `/me/notifications?$filter=${encodeURIComponent("groupName eq 'even' and readState eq 'unread'")}`, { headers: as('alice') });
    expect((filtered.json()['value'] as unknown[]).length).toBe(3);
    const bad = await api.call('GET', `/me/notifications?$filter=${encodeURIComponent('priority gt 1')}`, { headers: as('alice') });
    expect(bad.status).toBe(400);
    expect((await api.call('GET', '/me/notifications?$top=0', { headers: as('alice') })).status).toBe(400);
    expect((await api.call('GET', '/me/notifications?$skiptoken=forged', { headers: as('alice') })).status).toBe(400);
    expect(((await api.call('GET', '/me/notifications', { headers: as('bob') })).json()['value'] as unknown[]).length).toBe(0);
  });

  it('gets, patches and deletes one notification; another user gets 404', async () => {
    const id = await send({ appNotificationId: 'single' });
    const got = await api.call('GET', `/me/notifications/${id}`, { headers: as('alice') });
    expect(got.json()).toMatchObject({ id, readState: 'unread' });
    expect((await api.call('GET', `/me/notifications/${id}`, { headers: as('bob') })).status).toBe(404);

    const patched = await api.call('PATCH', `/me/notifications/${id}`, { headers: as('alice'), body: { readState: 'read', userActionState: 'dismissed' } });
    expect(patched.status).toBe(200);
    expect(patched.json()).toMatchObject({ readState: 'read', userActionState: 'dismissed' });
    expect((await api.call('PATCH', `/me/notifications/${id}`, { headers: as('alice'), body: { readState: 'seen' } })).status).toBe(400);
    expect((await api.call('PATCH', `/me/notifications/${id}`, { headers: as('alice'), body: { title: 'x' } })).status).toBe(400);
    expect((await api.call('PATCH', `/me/notifications/${id}`, { headers: as('bob'), body: { readState: 'read' } })).status).toBe(404);

    expect((await api.call('DELETE', `/me/notifications/${id}`, { headers: as('bob') })).status).toBe(404);
    const deleted = await api.call('DELETE', `/me/notifications/${id}`, { headers: as('alice') });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await api.call('GET', `/me/notifications/${id}`, { headers: as('alice') })).status).toBe(404);
  });

  it('tracks changes with @odata.deltaLink', async () => {
    const initial = (await api.call('GET', '/me/notifications/delta', { headers: as('alice') })).json();
    const deltaLink = new URL(initial['@odata.deltaLink'] as string);
    const id = await send({ appNotificationId: 'delta-new' });
    const old = (await api.call('GET', '/me/notifications?$top=1000', { headers: as('alice') })).json()['value'] as Array<{ id: string }>;
    const victim = old[old.length - 1]?.id as string;
    await api.call('DELETE', `/me/notifications/${victim}`, { headers: as('alice') });
    const changes = (await api.call('GET', `${deltaLink.pathname}${deltaLink.search}`, { headers: as('alice') })).json();
    expect(changes['value']).toEqual([expect.objectContaining({ id, '@herald.change': 'created' }), { id: victim, '@removed': { reason: 'deleted' } }]);
    expect(changes['@odata.deltaLink']).toBeDefined();
    expect((await api.call('GET', '/me/notifications/delta?$deltatoken=forged', { headers: as('alice') })).status).toBe(400);
  });
});

describe("the signed-in user's subscriptions", () => {
  it('creates (201, the id is the X-UNS-ID, the secret never comes back), lists and deletes', async () => {
    const created = await api.call('POST', '/me/notifications/subscriptions', {
      headers: as('carol'),
      body: { targetHostName: 'app.example', platformType: 'iOS', transport: 'test', address: 'token-1', secret: 'whsec_abc' },
    });
    expect(created.status).toBe(201);
    const subscription = created.json();
    expect(subscription).toMatchObject({ platformType: 'ios', status: 'active', hasSecret: true });
    expect(subscription['secret']).toBeUndefined();
    const list = (await api.call('GET', '/me/notifications/subscriptions', { headers: as('carol') })).json();
    expect((list['value'] as Array<{ id: string }>).map((s) => s.id)).toEqual([subscription['id']]);
    expect((await api.call('DELETE', `/me/notifications/subscriptions/${String(subscription['id'])}`, { headers: as('bob') })).status).toBe(404);
    expect((await api.call('DELETE', `/me/notifications/subscriptions/${String(subscription['id'])}`, { headers: as('carol') })).status).toBe(204);
    const refused = await api.call('POST', '/me/notifications/subscriptions', { headers: as('carol'), body: { targetHostName: 'app.example', platformType: 'ios', transport: 'pigeon', address: 'x' } });
    expect(refused.status).toBe(400);
    expect((refused.json()['error'] as { code: string }).code).toBe('UNKNOWN_TRANSPORT');
  });
});

describe('the rest of the API surface', () => {
  it('serves an OpenAPI 3.1 document built from the request schemas, without authentication', async () => {
    const answer = await api.call('GET', '/openapi.json');
    expect(answer.status).toBe(200);
    const document = answer.json() as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, Record<string, unknown>> } };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/me/notifications', '/me/notifications/{id}', '/me/notifications/delta', '/me/notifications/subscriptions']));
    const { $schema: _s, $id: _i, ...expected } = notificationSchema;
    expect(document.components.schemas['NotificationRequest']).toEqual(JSON.parse(JSON.stringify(expected)));
    // Every component schema compiles as JSON Schema 2020-12.
    const ajv = new Ajv2020({ strict: false });
    // OpenAPI documents use the standard `date-time` format; here any RFC 3339 parse will do.
    ajv.addFormat('date-time', { type: 'string', validate: (text: string) => !Number.isNaN(Date.parse(text)) });
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      ajv.addSchema(schema, `#/components/schemas/${name}`);
    }
    expect(ajv.compile(document.components.schemas['NotificationRequest'] as object)(referenceBody())).toBe(true);
  });

  it('answers an unknown path with 404 in Graph’s shape, and an id that is not percent-encoded UTF-8 with 400', async () => {
    const answer = await api.call('GET', '/me/other', { headers: as('alice') });
    expect(answer.status).toBe(404);
    expect((answer.json()['error'] as { code: string }).code).toBe('NOT_FOUND');
    expect((await api.call('GET', '/me/%E0%A4%A/notifications', { headers: as('alice') })).status).toBe(404);
    expect((await api.call('GET', '/me/notifications/%E0%A4%A', { headers: as('alice') })).status).toBe(400);
  });

  it('answers 500 without details when something unexpected fails', async () => {
    const broken = await startApi({ authenticate: () => ({ id: 'alice' }), onError: () => undefined });
    (broken.service.feed as { list: unknown }).list = async () => {
      throw new Error('secret internals');
    };
    const answer = await broken.call('GET', '/me/notifications');
    expect(answer.status).toBe(500);
    expect(answer.text).not.toContain('secret internals');
    await broken.close();
  });
});
