import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceBody, startApi, type Api } from './support.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
  const unsId = await api.subscribe('alice');
  const sent = await api.call('POST', '/me/notifications', { headers: { authorization: 'Bearer app-server', 'x-uns-id': unsId }, body: referenceBody() });
  expect(sent.status).toBe(201);
});
afterAll(async () => {
  await api.close();
});

/** Who the feed route says is signed in: the user of `@odata.context`, or the status when refused. */
async function signedIn(method: string, path: string, headers: Record<string, string> = {}): Promise<string | number> {
  const answer = await api.call(method, path, { headers });
  if (answer.status !== 200) return answer.status;
  if (method === 'HEAD') return 'head ok';
  const user = /users\('([^']*)'\)/.exec(answer.json()['@odata.context'] as string)?.[1];
  return user === undefined ? 'no user' : decodeURIComponent(user);
}

describe('developmentAuthenticator', () => {
  // [what, method, path, headers, expected]
  const cases: Array<[string, string, string, Record<string, string>, string | number]> = [
    ['a bearer header', 'GET', '/me/notifications', { authorization: 'Bearer alice' }, 'alice'],
    ['the access_token query parameter of a GET', 'GET', '/me/notifications?access_token=alice', {}, 'alice'],
    ['the access_token query parameter of a HEAD', 'HEAD', '/me/notifications?access_token=alice', {}, 'head ok'],
    ['a percent-encoded name in the query', 'GET', '/me/notifications?access_token=alice%40contoso.com', {}, 'alice@contoso.com'],
    ['the query beside other query options', 'GET', "/me/notifications?$top=1&access_token=alice&$filter=readState%20eq%20'unread'", {}, 'alice'],
    ['nothing', 'GET', '/me/notifications', {}, 401],
    ['an empty access_token', 'GET', '/me/notifications?access_token=', {}, 401],
    ['two access_token parameters', 'GET', '/me/notifications?access_token=alice&access_token=bob', {}, 401],
    ['a name with a character outside the set', 'GET', '/me/notifications?access_token=al%20ice', {}, 401],
    ['a name over 128 characters', 'GET', `/me/notifications?access_token=${'a'.repeat(129)}`, {}, 401],
    ['a name of 128 characters', 'GET', `/me/notifications?access_token=${'a'.repeat(128)}`, {}, 'a'.repeat(128)],
    ['a malformed header, with the query beside it', 'GET', '/me/notifications?access_token=alice', { authorization: 'Basic YWxpY2U6' }, 401],
    ['a header and the query: the header decides', 'GET', '/me/notifications?access_token=alice', { authorization: 'Bearer bob' }, 'bob'],
    ['a bearer header with a bad name', 'GET', '/me/notifications', { authorization: 'Bearer al ice' }, 401],
  ];
  it.each(cases)('%s', async (_what, method, path, headers, expected) => {
    expect(await signedIn(method, path, headers)).toBe(expected);
  });

  it('never takes the query parameter for a request that changes something', async () => {
    const feed = await api.call('GET', '/me/notifications', { headers: { authorization: 'Bearer alice' } });
    const id = (feed.json()['value'] as Array<{ id: string }>)[0]?.id ?? '';
    for (const [method, body] of [['PATCH', { readState: 'read' }], ['DELETE', undefined]] as const) {
      const answer = await api.call(method, `/me/notifications/${id}?access_token=alice`, body === undefined ? {} : { body });
      expect(answer.status, method).toBe(401);
    }
    const sent = await api.call('POST', '/me/notifications/subscriptions?access_token=alice', {
      body: { targetHostName: 'graphnotifications.sample.windows.com', platformType: 'windows', transport: 'test', address: 'x' },
    });
    expect(sent.status).toBe(401);
    const still = await api.call('GET', `/me/notifications/${id}`, { headers: { authorization: 'Bearer alice' } });
    expect(still.json()['readState']).toBe('unread');
  });
});
