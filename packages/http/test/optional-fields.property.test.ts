/**
 * Every optional field of the contract, in any subset, round-trips: sent over HTTP,
 * updated by its appNotificationId with another subset (fields the update leaves out are
 * gone, not kept from before), read back over HTTP by id and in the feed, and again after
 * the file store is closed and opened again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createFileStore } from '@herald/store-file';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceBody, startApi, type Api } from './support.js';

const optional = {
  targetPolicy: fc.record({ platformTypes: fc.uniqueArray(fc.constantFrom('windows', 'ios', 'android', 'webpush'), { minLength: 1 }) }),
  priority: fc.constantFrom('None', 'High', 'Low'),
  groupName: fc.string({ minLength: 1, maxLength: 12 }),
  displayTimeToLive: fc.nat({ max: 2_592_000 }),
  fallbackPolicy: fc.record({ endpointFallback: fc.record({ platformTypes: fc.uniqueArray(fc.constantFrom('ios', 'android'), { minLength: 1 }), fallbackDelayInSeconds: fc.integer({ min: 60, max: 600 }), visualContent: fc.record({ title: fc.string({ minLength: 1, maxLength: 10 }), body: fc.string({ minLength: 1, maxLength: 10 }) }) }) }),
};
const subset = fc.record(optional, { requiredKeys: [] });
const payload = fc.oneof(
  fc.record({ visualContent: fc.record({ title: fc.string({ minLength: 1, maxLength: 10 }), body: fc.string({ minLength: 1, maxLength: 10 }) }) }),
  fc.record({ rawContent: fc.string({ minLength: 1, maxLength: 10 }) }),
  fc.record({ visualContent: fc.record({ title: fc.string({ minLength: 1, maxLength: 10 }), body: fc.string({ minLength: 1, maxLength: 10 }) }), rawContent: fc.string({ minLength: 1, maxLength: 10 }) }),
);

type Fields = Partial<{ [K in keyof typeof optional]: (typeof optional)[K] extends fc.Arbitrary<infer T> ? T : never }>;

/**
 * The request of a payload and a subset of the optional fields, made valid where the
 * contract ties them: a fallback replaces an unacknowledged raw notification (so the
 * payload carries raw content) and goes to platforms the target policy names.
 */
function withPayload(base: Record<string, unknown>, body: Record<string, unknown>, fields: Fields): Record<string, unknown> {
  const { fallbackPolicy, targetPolicy } = fields;
  if (fallbackPolicy === undefined) return { ...base, payload: body, ...fields };
  const platforms = targetPolicy === undefined ? undefined : { platformTypes: [...new Set([...targetPolicy.platformTypes, ...fallbackPolicy.endpointFallback.platformTypes])] };
  return { ...base, payload: 'rawContent' in body ? body : { ...body, rawContent: 'raw' }, ...fields, ...(platforms === undefined ? {} : { targetPolicy: platforms }) };
}

const contractKeys = ['targetHostName', 'appNotificationId', 'payload', 'expirationDateTime', ...Object.keys(optional)];
const contractOf = (body: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(contractKeys.filter((key) => key in body).map((key) => [key, body[key]]));

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'herald-optional-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function open(): Promise<{ api: Api; unsId: string }> {
  const api = await startApi({}, { store: await createFileStore({ directory }), dispatcher: { autoStart: false } });
  const unsId = await api.subscribe('alice');
  return { api, unsId };
}

describe('the optional fields of the contract', () => {
  it('round-trip in any subset through send, update, HTTP reads and the file store reopened', async () => {
    const expected = new Map<string, Record<string, unknown>>();
    let { api, unsId } = await open();
    try {
      let round = 0;
      await fc.assert(
        fc.asyncProperty(payload, subset, payload, subset, fc.boolean(), async (firstPayload, first, secondPayload, second, reopen) => {
          round += 1;
          const headers = { authorization: 'Bearer app-server', 'x-uns-id': unsId };
          const base = referenceBody({ appNotificationId: `round-${round}` });
          delete base['targetPolicy'];
          delete base['priority'];
          delete base['groupName'];
          delete base['displayTimeToLive'];
          delete base['fallbackPolicy'];
          const created = withPayload(base, firstPayload, first);
          const createdAnswer = await api.call('POST', '/me/notifications', { headers, body: created });
          expect(createdAnswer.status, createdAnswer.text).toBe(201);
          const id = createdAnswer.json()['id'] as string;
          expect(contractOf(createdAnswer.json())).toEqual(created);
          const updated = withPayload(base, secondPayload, second);
          const updatedAnswer = await api.call('POST', '/me/notifications', { headers, body: updated });
          expect(updatedAnswer.status, updatedAnswer.text).toBe(200);
          expect(updatedAnswer.json()['id']).toBe(id);
          expect(contractOf(updatedAnswer.json())).toEqual(updated);
          expected.set(id, updated);
          if (reopen) {
            await api.close();
            ({ api, unsId } = await open());
          }
          const read = await api.call('GET', `/me/notifications/${id}`, { headers: { authorization: 'Bearer alice' } });
          expect(read.status).toBe(200);
          expect(contractOf(read.json())).toEqual(updated);
        }),
        { numRuns: 60 },
      );
      await api.close();
      ({ api, unsId } = await open());
      const seen = new Map<string, Record<string, unknown>>();
      for (let path: string | undefined = '/me/notifications?$top=50'; path !== undefined; ) {
        const page = (await api.call('GET', path, { headers: { authorization: 'Bearer alice' } })).json();
        for (const item of page['value'] as Record<string, unknown>[]) seen.set(item['id'] as string, contractOf(item));
        const next = page['@odata.nextLink'] as string | undefined;
        path = next === undefined ? undefined : next.slice(next.indexOf('/me/'));
      }
      expect(seen).toEqual(expected);
    } finally {
      await api.close();
    }
  });
});
