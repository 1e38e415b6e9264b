/**
 * Text that is not well-formed Unicode is refused with a 400 in Graph's error shape, in
 * every string field of every request body (the contract's own list of fields, so a new
 * field joins the table by itself), and in path ids and X-UNS-ID. Each row has a control:
 * the same request with a well-formed surrogate pair instead must be accepted, so a row
 * can only pass because of the lone surrogate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationSchema, notificationStateSchema, subscriptionSchema } from '@herald/core';
import { contentFieldNames, contentFields } from '@herald/core/store';
import { app, referenceBody, startApi, type Answer, type Api } from './support.js';

let api: Api;
let unsId = '';
let notificationId = '';
beforeAll(async () => {
  api = await startApi();
  unsId = await api.subscribe('alice');
  const sent = await api.call('POST', '/me/notifications', { headers: { authorization: 'Bearer server', 'x-uns-id': unsId }, body: referenceBody({ appNotificationId: 'existing' }) });
  notificationId = sent.json()['id'] as string;
});
afterAll(async () => {
  await api.close();
});

type Path = ReadonlyArray<string | number>;
type Schema = Record<string, unknown>;
interface StringField {
  readonly path: Path;
  /** The schema of the string there: its pattern, enum or format says what the control may hold. */
  readonly schema: Schema;
}

/** Every string a JSON Schema allows, property by property and into arrays. */
function stringFields(schema: Schema, at: Path = []): StringField[] {
  const found: StringField[] = [];
  const type = schema['type'];
  if (type === 'string' || (Array.isArray(type) && type.includes('string'))) found.push({ path: at, schema });
  for (const [key, child] of Object.entries((schema['properties'] ?? {}) as Record<string, Schema>)) found.push(...stringFields(child, [...at, key]));
  if (typeof schema['items'] === 'object' && schema['items'] !== null) found.push(...stringFields(schema['items'] as Schema, [...at, 0]));
  for (const variant of [...((schema['oneOf'] ?? []) as Schema[]), ...((schema['anyOf'] ?? []) as Schema[])]) found.push(...stringFields(variant, at));
  return found;
}

/** The control's value: the valid one with a well-formed pair added, where the field's schema allows one. */
function controlValue(field: StringField, valid: string): string {
  const { pattern, enum: choices, format } = field.schema;
  const extended = wellFormed(valid);
  const allowed = choices === undefined && format === undefined && (typeof pattern !== 'string' || new RegExp(pattern, 'u').test(extended));
  return allowed ? extended : valid;
}

function valueAt(body: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], body);
}

function withValue(body: unknown, path: Path, value: string): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, copy);
  parent[path[path.length - 1] as string | number] = value;
  return copy;
}

/** Where the lone surrogate goes in a field's valid value. */
const forms: ReadonlyArray<readonly [name: string, spoil: (valid: string) => string]> = [
  ['a lone high surrogate at the end', (valid) => `${valid}\ud800`],
  ['a lone low surrogate at the start', (valid) => `\udc00${valid}`],
  ['a reversed pair in the middle', (valid) => `${valid.slice(0, 1)}\udc00\ud83d${valid.slice(1)}`],
  ['the last high surrogate', (valid) => `${valid}\udbff`],
];
/** The control: a well-formed pair (an emoji) where the lone surrogate was, for free-text fields. */
const wellFormed = (valid: string): string => `${valid}\u{1F600}`;

function expectRefused(answer: Answer, codes: readonly string[]): void {
  expect(answer.status).toBe(400);
  const error = answer.json()['error'] as Record<string, unknown>;
  expect(codes).toContain(error['code']);
  expect(typeof error['message']).toBe('string');
  expect(error['innerError']).toMatchObject({ 'request-id': answer.headers['request-id'] });
}

/** Codes a well-formed JSON text with ill-formed strings may be refused with (INVALID_PAYLOAD inside the payload). */
const contractCodes = ['CONTRACT_MISMATCH', 'INVALID_ARGUMENT', 'INVALID_PAYLOAD'] as const;

let rows = 0;
// The contract's text fields that the reference example leaves out get a plain value, so
// a text field added to the field table is covered here without an edit.
const textFields = Object.fromEntries(contentFieldNames.filter((name) => contentFields[name].kind === 'text').map((name) => [name, 'sample']));
const notificationBaseline = (): Record<string, unknown> => ({
  ...textFields,
  ...referenceBody({ appNotificationId: `row-${(rows += 1)}` }),
  payload: { visualContent: { title: 'Hello', body: 'World' }, rawContent: 'raw' },
  fallbackPolicy: { endpointFallback: { platformTypes: ['ios'], fallbackDelayInSeconds: 60, visualContent: { title: 'Fallback', body: 'text' } } },
});
const subscriptionBaseline = (): Record<string, unknown> => ({
  targetHostName: app,
  platformType: 'windows',
  transport: 'test',
  address: `device-${(rows += 1)}`,
  secret: 'whsec_c2VjcmV0',
  expirationDateTime: new Date(Date.now() + 86_400_000).toISOString(),
});

interface Endpoint {
  readonly name: string;
  readonly fields: StringField[];
  readonly baseline: () => Record<string, unknown>;
  readonly call: (body: string | Buffer) => Promise<Answer>;
}
const endpoints: Endpoint[] = [
  {
    name: 'POST /me/notifications',
    fields: stringFields(notificationSchema as unknown as Schema),
    baseline: notificationBaseline,
    call: (body) => api.call('POST', '/me/notifications', { headers: { authorization: 'Bearer server', 'x-uns-id': unsId, 'content-type': 'application/json' }, body }),
  },
  {
    name: 'POST /me/notifications/subscriptions',
    fields: stringFields(subscriptionSchema as unknown as Schema),
    baseline: subscriptionBaseline,
    call: (body) => api.call('POST', '/me/notifications/subscriptions', { headers: { authorization: `Bearer user-${(rows += 1)}`, 'content-type': 'application/json' }, body }),
  },
  {
    name: 'PATCH /me/notifications/{id}',
    fields: stringFields(notificationStateSchema as unknown as Schema),
    baseline: () => ({ readState: 'read', userActionState: 'activated' }),
    call: (body) => api.call('PATCH', `/me/notifications/${notificationId}`, { headers: { authorization: 'Bearer alice', 'content-type': 'application/json' }, body }),
  },
];

const bodyTable = endpoints.flatMap((endpoint) => endpoint.fields.flatMap((field) => forms.map(([form, spoil]) => [endpoint.name, field.path.join('.'), form, endpoint, field, spoil] as const)));

describe('lone surrogates in request bodies', () => {
  it('covers every string field of the contract', () => {
    for (const endpoint of endpoints) {
      expect(endpoint.fields.length).toBeGreaterThan(0);
      for (const { path } of endpoint.fields) expect({ endpoint: endpoint.name, path, baseline: typeof valueAt(endpoint.baseline(), path) }).toMatchObject({ baseline: 'string' });
    }
  });

  it.each(bodyTable)('%s, %s: %s (as a \\u escape) is 400, the well-formed control is accepted', async (_name, _field, _form, endpoint, field, spoil) => {
    const baseline = endpoint.baseline();
    const valid = valueAt(baseline, field.path) as string;
    const before = await api.service.feed.unreadCount('alice');
    // JSON.stringify writes a lone surrogate as its \u escape: the JSON text itself is well-formed.
    const text = JSON.stringify(withValue(baseline, field.path, spoil(valid)));
    expect(text).toMatch(/\\ud[89a-f][0-9a-f]{2}/);
    expectRefused(await endpoint.call(text), contractCodes);
    expect(await api.service.feed.unreadCount('alice')).toBe(before);
    const control = await endpoint.call(JSON.stringify(withValue(endpoint.baseline(), field.path, controlValue(field, valid))));
    expect({ field: field.path.join('.'), status: control.status, text: control.status < 300 ? '' : control.text }).toEqual({ field: field.path.join('.'), status: control.status < 300 ? control.status : 201, text: '' });
  });

  it.each(endpoints.map((endpoint) => [endpoint.name, endpoint] as const))('%s: a lone surrogate written as raw bytes (WTF-8) is MALFORMED_JSON', async (_name, endpoint) => {
    for (const { path } of endpoint.fields) {
      const text = JSON.stringify(withValue(endpoint.baseline(), path, `${valueAt(endpoint.baseline(), path) as string}@@LONE@@`));
      const [head = '', tail = ''] = text.split('@@LONE@@');
      expectRefused(await endpoint.call(Buffer.concat([Buffer.from(head), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(tail)])), ['MALFORMED_JSON']);
    }
  });
});

describe('lone surrogates in path ids and headers', () => {
  // A lone surrogate has no UTF-8 form: in a URL it can only be its WTF-8 bytes, percent-encoded.
  const ids = ['%ED%A0%80', 'x%ED%B0%80', '%ED%AF%BF%ED%B0%80x'];
  const requests = ids.flatMap((id) => [
    ['GET', `/me/notifications/${id}`],
    ['HEAD', `/me/notifications/${id}`],
    ['PATCH', `/me/notifications/${id}`],
    ['DELETE', `/me/notifications/${id}`],
    ['DELETE', `/me/notifications/subscriptions/${id}`],
  ] as const);

  it.each(requests)('%s %s is 400 INVALID_ARGUMENT', async (method, path) => {
    const answer = await api.call(method, path, { headers: { authorization: 'Bearer alice' }, ...(method === 'PATCH' ? { body: { readState: 'read' } } : {}) });
    if (method === 'HEAD') {
      expect(answer.status).toBe(400);
      expect(answer.text).toBe('');
    } else {
      expectRefused(answer, ['INVALID_ARGUMENT']);
    }
  });

  // Node writes a header's characters U+0080–U+00FF as single bytes: these are the WTF-8 bytes.
  const wtf8 = (bytes: number[]): string => Buffer.from(bytes).toString('latin1');
  it.each([
    ['a lone high surrogate', () => wtf8([0xed, 0xa0, 0x80])],
    ['a real id followed by a lone low surrogate', () => `${unsId}${wtf8([0xed, 0xb0, 0x80])}`],
    ['a lone surrogate before a real id', () => `${wtf8([0xed, 0xaf, 0xbf])}${unsId}`],
  ] as const)('X-UNS-ID with %s is 400 INVALID_ARGUMENT, nothing sent', async (_name, header) => {
    const before = await api.service.feed.unreadCount('alice');
    const answer = await api.call('POST', '/me/notifications', { headers: { authorization: 'Bearer server', 'x-uns-id': header() }, body: referenceBody({ appNotificationId: 'via-header' }) });
    expectRefused(answer, ['INVALID_ARGUMENT']);
    expect(await api.service.feed.unreadCount('alice')).toBe(before);
  });
});

describe('text that is not UTF-8 in query strings', () => {
  // URLSearchParams would read each of these as U+FFFD and go on: `x%ED%A0%80` would then
  // match a group named `x\ufffd\ufffd\ufffd`.
  const spoilt = ['x%ED%A0%80', '%ED%B0%80', 'x%FF', 'x%E', 'x%C3', '%ED%AF%BF%ED%B0%80x'];
  const queries = spoilt.flatMap((text) => [
    ['GET', `/me/notifications?$filter=${encodeURIComponent(`groupName eq '`)}${text}'`],
    ['HEAD', `/me/notifications?$filter=${encodeURIComponent(`groupName eq '`)}${text}'`],
    ['GET', `/me/notifications?$top=2&${text}=1`],
    ['GET', `/me/notifications/delta?$skiptoken=${text}`],
    ['GET', `/me/notifications/$count?$filter=${encodeURIComponent(`targetHostName eq '`)}${text}'`],
  ] as const);

  it.each(queries)('%s %s is 400 INVALID_ARGUMENT', async (method, path) => {
    const answer = await api.call(method, path, { headers: { authorization: 'Bearer alice' } });
    if (method === 'HEAD') {
      expect(answer.status).toBe(400);
      expect(answer.text).toBe('');
    } else {
      expectRefused(answer, ['INVALID_ARGUMENT']);
    }
  });

  it('reads a well-formed filter with astral characters and + for a space as it reads any', async () => {
    const group = 'team 😀';
    await api.service.send(referenceBody({ appNotificationId: 'astral', groupName: group }) as never, { userId: 'alice' });
    const filter = `groupName eq '${group}'`;
    const answer = await api.call('GET', `/me/notifications?$filter=${encodeURIComponent(filter).replace(/%20/g, '+')}`, { headers: { authorization: 'Bearer alice' } });
    expect(answer.status).toBe(200);
    const items = answer.json()['value'] as Array<{ groupName?: string }>;
    expect(items.map((item) => item.groupName)).toEqual([group]);
  });
});
