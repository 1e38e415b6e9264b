/**
 * `GET`/`PATCH /me/notifications/preferences` and the explain routes over real HTTP on
 * loopback: merge-patch semantics, validation answers naming fields, users kept apart,
 * concurrent patches, and every answer checked against the OpenAPI document's schemas.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '@herald/http';
import { createFileStore } from '@herald/store-file';
import { referenceBody, startApi, type Answer, type Api } from './support.js';

let api: Api;
let aliceWindows = '';
let aliceIos = '';
beforeAll(async () => {
  api = await startApi({}, { policies: { blockedCallers: ['mallory'] } });
  aliceWindows = await api.subscribe('alice', 'windows');
  aliceIos = await api.subscribe('alice', 'ios');
});
afterAll(() => api.close());

const as = (user: string): Record<string, string> => ({ authorization: `Bearer ${user}` });
const patch = (user: string, body: unknown, contentType = 'application/merge-patch+json'): Promise<Answer> =>
  api.call('PATCH', '/me/notifications/preferences', { headers: { ...as(user), 'content-type': contentType }, body });
const errorOf = (answer: Answer): { code: string; message: string; details?: Array<{ code: string; target: string; message: string }> } => answer.json()['error'] as never;

/** Validates a body against a schema of the served OpenAPI document. */
function documented(name: string): (body: unknown) => boolean {
  const document = openApiDocument('http://127.0.0.1');
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date-time', { type: 'string', validate: (text: string) => !Number.isNaN(Date.parse(text)) });
  ajv.addSchema({ $id: 'https://herald.test/openapi.json', components: document['components'] });
  const validate = ajv.compile({ $ref: `https://herald.test/openapi.json#/components/schemas/${name}` });
  return (body) => {
    const valid = validate(body);
    if (!valid) console.error(name, JSON.stringify(validate.errors));
    return valid;
  };
}

const berlinNights = { timeZone: 'Europe/Berlin', windows: [{ days: ['monday', 'tuesday'], start: '22:00', end: '07:00' }] };

describe('GET and PATCH /me/notifications/preferences', () => {
  it('answers {} before any preference is set, and 401 without credentials', async () => {
    const answer = await api.call('GET', '/me/notifications/preferences', { headers: as('nobody') });
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({});
    expect((await api.call('GET', '/me/notifications/preferences')).status).toBe(401);
  });

  it('merges a patch into what is stored (RFC 7396): given fields replace, null removes, rules and quiet hours merge key by key', async () => {
    const isPreferences = documented('NotificationPreferences');
    const first = await patch('pat', { default: 'optIn', apps: { 'mail.example': 'optOut', 'chat.example': 'optIn' }, quietHours: berlinNights });
    expect(first.status).toBe(200);
    expect(first.json()).toEqual({ default: 'optIn', apps: { 'mail.example': 'optOut', 'chat.example': 'optIn' }, quietHours: berlinNights });
    expect(isPreferences(first.json())).toBe(true);

    const second = await patch('pat', { apps: { 'mail.example': null, 'news.example': 'optOut' }, groups: { digest: 'optOut' }, quietHours: { timeZone: 'America/New_York' } });
    expect(second.status).toBe(200);
    const merged = { default: 'optIn', apps: { 'chat.example': 'optIn', 'news.example': 'optOut' }, groups: { digest: 'optOut' }, quietHours: { ...berlinNights, timeZone: 'America/New_York' } };
    expect(second.json()).toEqual(merged);

    const read = await api.call('GET', '/me/notifications/preferences', { headers: as('pat') });
    expect(read.json()).toEqual(merged);
    expect(isPreferences(read.json())).toBe(true);

    const third = await patch('pat', { default: null, quietHours: null, groups: null }, 'application/json; charset=utf-8');
    expect(third.json()).toEqual({ apps: { 'chat.example': 'optIn', 'news.example': 'optOut' } });
    expect((await api.call('GET', '/me/notifications/preferences', { headers: as('someone-else') })).json()).toEqual({});
  });

  const refused: Array<[string, unknown, string, string]> = [
    ['an unknown field', { aps: { x: 'optOut' } }, 'INVALID_PREFERENCES', 'aps'],
    ['rules that are not an object', { apps: 'optOut' }, 'INVALID_PREFERENCES', 'apps'],
    ['a choice that is not optIn or optOut', { groups: { digest: 'off' } }, 'INVALID_PREFERENCES', 'groups["digest"]'],
    ['a platform that is not one', { platforms: { palm: 'optOut' } }, 'INVALID_PREFERENCES', 'platforms'],
    ['a time that is not HH:MM', { quietHours: { ...berlinNights, windows: [{ days: ['monday'], start: '7pm', end: '07:00' }] } }, 'INVALID_PREFERENCES', 'quietHours.windows[0].start'],
    ['an unknown time zone', { quietHours: { ...berlinNights, timeZone: 'Europe/Berln' } }, 'INVALID_PREFERENCES', 'quietHours.timeZone'],
    ['quiet hours left without windows', { quietHours: { timeZone: 'UTC' } }, 'INVALID_PREFERENCES', 'quietHours.windows'],
    ['an array', [], 'INVALID_PREFERENCES', ''],
  ];
  it.each(refused)('refuses %s with 400 and details naming the field, storing nothing', async (_, body, code, target) => {
    const answer = await patch('rita', body);
    expect(answer.status).toBe(400);
    const error = errorOf(answer);
    expect(error.code).toBe(code);
    expect(error.details?.[0]?.target).toBe(target);
    expect(documented('Error')(answer.json())).toBe(true);
    expect((await api.call('GET', '/me/notifications/preferences', { headers: as('rita') })).json()).toEqual({});
  });

  it('answers 415 for a body that is not JSON, 400 for malformed JSON and 405 (Allow) for PUT', async () => {
    expect(errorOf(await patch('rita', '{}', 'text/plain')).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(errorOf(await patch('rita', '{', 'application/json')).code).toBe('MALFORMED_JSON');
    const put = await api.call('PUT', '/me/notifications/preferences', { headers: as('rita'), body: {} });
    expect(put.status).toBe(405);
    expect(put.headers['allow']).toBe('GET, HEAD, PATCH');
  });

  it('keeps every change when one user sends many patches at once (on a store whose writes wait for the disk)', async () => {
    // The file store resolves a write once it is on disk: a read-merge-write left
    // unserialized would let the patches read the same state and lose all but one change.
    const directory = mkdtempSync(join(tmpdir(), 'herald-preferences-'));
    const durable = await startApi({}, { store: await createFileStore({ directory }) });
    try {
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          durable.call('PATCH', '/me/notifications/preferences', { headers: { ...as('quinn'), 'content-type': 'application/json' }, body: { apps: { [`app-${i}.example`]: 'optOut' } } }),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
      const read = await durable.call('GET', '/me/notifications/preferences', { headers: as('quinn') });
      expect(Object.keys((read.json()['apps'] ?? {}) as object).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `app-${i}.example`).sort());
    } finally {
      await durable.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('explain', () => {
  const send = (headers: Record<string, string>, body: unknown = referenceBody({ appNotificationId: 'explained' })): Promise<Answer> =>
    api.call('POST', '/me/notifications/explain', { headers, body });

  it('POST /me/notifications/explain: a dry run for app servers that says, per subscription, what a send would do — and writes nothing', async () => {
    expect((await patch('alice', { platforms: { ios: 'optOut' } })).status).toBe(200);
    const answer = await send({ ...as('app-server'), 'x-uns-id': aliceWindows });
    expect(answer.status).toBe(200);
    const body = answer.json() as { accepted: boolean; userId: string; decisions: Array<{ subscriptionId: string; outcome: string; at?: string; rule: Record<string, unknown> }> };
    expect(documented('SendExplanation')(body)).toBe(true);
    expect(body.accepted).toBe(true);
    expect(body.userId).toBe('alice');
    const bySubscription = new Map(body.decisions.map((decision) => [decision.subscriptionId, decision]));
    expect(bySubscription.get(aliceIos)).toMatchObject({ outcome: 'skipped', rule: { kind: 'preference', level: 'platform', key: 'ios', choice: 'optOut' } });
    expect(bySubscription.get(aliceWindows)).toMatchObject({ outcome: 'now', rule: { kind: 'preference', level: 'default', choice: 'optIn' } });
    expect(Date.parse(bySubscription.get(aliceWindows)?.at ?? '')).not.toBeNaN();
    const feed = await api.call('GET', '/me/notifications', { headers: as('alice') });
    expect(feed.json()['value']).toEqual([]);
  });

  it('POST /me/notifications/explain: reports a refused check in the answer; header and body faults answer as the send does', async () => {
    const blocked = await send({ ...as('mallory'), 'x-uns-id': aliceWindows });
    expect(blocked.status).toBe(200);
    expect(blocked.json()).toMatchObject({ accepted: false, decisions: [] });
    expect((blocked.json()['checks'] as Array<{ outcome: string; code?: string }>).at(-1)).toMatchObject({ outcome: 'refused', code: 'CALLER_BLOCKED' });
    expect(documented('SendExplanation')(blocked.json())).toBe(true);
    expect((blocked.json()['checks'] as object[]).at(-1), 'a refusal that is no validation lists no details').not.toHaveProperty('details');
    expect(errorOf(await send(as('app-server'))).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(await send({ ...as('app-server'), 'x-uns-id': aliceWindows, 'if-range': 'x' })).code).toBe('UNSUPPORTED_HEADER');
    expect(errorOf(await api.call('POST', '/me/notifications/explain', { headers: { ...as('app-server'), 'x-uns-id': aliceWindows, 'content-type': 'text/plain' }, body: '{}' })).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await send({ 'x-uns-id': aliceWindows })).status).toBe(401);
    expect((await api.call('GET', '/me/notifications/explain', { headers: as('alice') })).status).toBe(405);
  });

  it('POST /me/notifications/explain: a body off the contract is refused with every problem in details, as the send answers it', async () => {
    const body = referenceBody({ appNotificationId: '', priority: 'urgent' });
    const headers = { ...as('app-server'), 'x-uns-id': aliceWindows };
    const sent = errorOf(await api.call('POST', '/me/notifications', { headers, body }));
    expect(sent.details?.length, 'the body has more than one problem').toBeGreaterThan(1);
    const answer = await send(headers, body);
    expect(answer.status).toBe(200);
    expect(documented('SendExplanation')(answer.json())).toBe(true);
    expect((answer.json()['checks'] as object[]).at(-1)).toEqual({ check: 'contract', outcome: 'refused', code: sent.code, message: sent.message, details: sent.details });
  });

  it('GET /me/notifications/{id}/explain: the decisions recorded at send time and each delivery, for the signed-in user only', async () => {
    expect((await patch('alice', { platforms: { ios: 'optOut' } })).status).toBe(200);
    const sent = await api.call('POST', '/me/notifications', { headers: { ...as('app-server'), 'x-uns-id': aliceWindows }, body: referenceBody({ appNotificationId: 'recorded' }) });
    expect(sent.status).toBe(201);
    const id = sent.json()['id'] as string;
    const answer = await api.call('GET', `/me/notifications/${id}/explain`, { headers: as('alice') });
    expect(answer.status).toBe(200);
    const body = answer.json() as { notificationId: string; subscriptions: Array<{ subscriptionId: string; decision?: Record<string, unknown>; deliveries: Array<Record<string, unknown>> }> };
    expect(documented('NotificationExplanation')(body)).toBe(true);
    expect(body.notificationId).toBe(id);
    const ios = body.subscriptions.find((entry) => entry.subscriptionId === aliceIos);
    expect(ios).toMatchObject({ decision: { outcome: 'skipped', rule: { kind: 'preference', level: 'platform', key: 'ios' } }, deliveries: [] });
    const windows = body.subscriptions.find((entry) => entry.subscriptionId === aliceWindows);
    expect(windows?.deliveries).toHaveLength(1);
    expect(windows?.deliveries[0]).toMatchObject({ subscriptionId: aliceWindows, kind: 'notification', platformType: 'windows' });
    expect(windows?.deliveries[0]).not.toHaveProperty('lease');

    const other = await api.call('GET', `/me/notifications/${id}/explain`, { headers: as('bob') });
    expect(other.status).toBe(404);
    expect(errorOf(other).code).toBe('NOTIFICATION_NOT_FOUND');
    expect((await api.call('POST', `/me/notifications/${id}/explain`, { headers: as('alice'), body: {} })).status).toBe(405);
  });

  it('GET /me/notifications/{id}/explain: a delivery deferred by quiet hours says until when, as a date-time', async () => {
    // A window from an hour before now to two hours after, every day, in UTC (crossing midnight when it must).
    const hour = (offset: number): string => `${String((new Date().getUTCHours() + offset + 24) % 24).padStart(2, '0')}:00`;
    const quietHours = { timeZone: 'UTC', windows: [{ days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'], start: hour(-1), end: hour(2) }] };
    const dana = await api.subscribe('dana', 'windows');
    expect((await patch('dana', { quietHours })).status).toBe(200);
    const sent = await api.call('POST', '/me/notifications', { headers: { ...as('app-server'), 'x-uns-id': dana }, body: referenceBody({ appNotificationId: 'quiet' }) });
    const answer = await api.call('GET', `/me/notifications/${sent.json()['id'] as string}/explain`, { headers: as('dana') });
    const [entry] = (answer.json() as { subscriptions: Array<{ decision?: { outcome: string; at: string; rule: { kind: string; until: string } } }> }).subscriptions;
    expect(entry?.decision).toMatchObject({ outcome: 'deferred', rule: { kind: 'quietHours' } });
    const until = Date.parse(entry?.decision?.rule.until ?? '');
    expect(new Date(until).toISOString().slice(11, 16)).toBe(quietHours.windows[0]?.end);
    expect(until - Date.now()).toBeGreaterThan(3_600_000 - 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(2 * 3_600_000);
    expect(entry?.decision?.at).toBe(entry?.decision?.rule.until);
  });
});
