/**
 * Every link Herald hands out (`@odata.nextLink`, `@odata.deltaLink`) keeps every query
 * option the client gave: each paging route is followed to its end, and every page must
 * have the size `$top` asked for and hold only what `$filter` asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app, referenceBody, startApi, type Api } from './support.js';

let api: Api;
let unsId = '';
/** What was sent to the user, to compute each filter's answer independently of the feed. */
const sent: Array<{ id: string; groupName: string; read: boolean; targetHostName: string }> = [];
const alice = { authorization: 'Bearer alice' };
const total = 25;

async function send(index: number): Promise<void> {
  const groupName = index % 2 === 0 ? 'even' : 'odd';
  const answer = await api.call('POST', '/me/notifications', {
    headers: { authorization: 'Bearer server', 'x-uns-id': unsId },
    body: referenceBody({ appNotificationId: `page-${index}`, groupName }),
  });
  expect(answer.status).toBe(201);
  sent.push({ id: answer.json()['id'] as string, groupName, read: false, targetHostName: app });
}

beforeAll(async () => {
  api = await startApi();
  unsId = await api.subscribe('alice');
  for (let i = 0; i < total; i += 1) await send(i);
  // Every third one read, so readState filters select a proper part.
  for (const [index, notification] of sent.entries()) {
    if (index % 3 !== 0) continue;
    await api.service.feed.update('alice', notification.id, { readState: 'read' });
    notification.read = true;
  }
});
afterAll(async () => {
  await api.close();
});

/** The query options of a URL that are not paging tokens, in a comparable form. */
function options(search: string): string[] {
  return [...new URLSearchParams(search)].filter(([name]) => name !== '$skiptoken' && name !== '$deltatoken').map(([name, value]) => `${name}=${value}`).sort();
}

interface Round {
  readonly pages: Array<Array<Record<string, unknown>>>;
  /** The link that ends the round: a deltaLink for delta, none for the feed. */
  readonly last: string | undefined;
}

/** Follows `@odata.nextLink` from `first` to the end, checking each link keeps the client's options. */
async function follow(first: string, given: string[]): Promise<Round> {
  const pages: Array<Array<Record<string, unknown>>> = [];
  let path: string | undefined = first;
  while (path !== undefined) {
    const answer = await api.call('GET', path, { headers: alice });
    expect(answer.status).toBe(200);
    const body = answer.json();
    pages.push(body['value'] as Array<Record<string, unknown>>);
    const next = body['@odata.nextLink'] as string | undefined;
    const delta = body['@odata.deltaLink'] as string | undefined;
    for (const link of [next, delta]) if (link !== undefined) expect(options(new URL(link).search)).toEqual(given);
    if (next === undefined) return { pages, last: delta };
    const url = new URL(next);
    path = `${url.pathname}${url.search}`;
    expect(pages.length).toBeLessThan(total + 2);
  }
  return { pages, last: undefined };
}

function expectPageSizes(pages: ReadonlyArray<readonly unknown[]>, top: number, count: number): void {
  const expected = Array.from({ length: Math.max(1, Math.ceil(count / top)) }, (_, index) => Math.min(top, count - index * top));
  expect(pages.map((page) => page.length)).toEqual(expected);
}

type Feed = (typeof sent)[number];
const feedCases: Array<readonly [query: string, top: number, keep: (notification: Feed) => boolean]> = [
  ['$top=2', 2, () => true],
  ['$top=4&$filter=' + encodeURIComponent("groupName eq 'even'"), 4, (n) => n.groupName === 'even'],
  ['$filter=' + encodeURIComponent("readState eq 'unread' and groupName eq 'odd'") + '&$top=3', 3, (n) => !n.read && n.groupName === 'odd'],
  ['$top=5&$filter=' + encodeURIComponent(`targetHostName eq '${app}'`), 5, (n) => n.targetHostName === app],
  ['$filter=' + encodeURIComponent("readState eq 'unread'"), 20, (n) => !n.read],
  ['$top=7&$select=id,groupName', 7, () => true],
];

describe('GET /me/notifications: every nextLink keeps every option given', () => {
  it.each(feedCases)('?%s', async (query, top, keep) => {
    const { pages } = await follow(`/me/notifications?${query}`, options(query));
    const expected = sent.filter(keep).map((n) => n.id).reverse();
    expect(pages.flat().map((n) => n['id'])).toEqual(expected);
    expectPageSizes(pages, top, expected.length);
  });
});

describe('GET /me/notifications/delta: every nextLink and deltaLink keeps every option given', () => {
  it.each([
    ['$top=2', 2],
    ['$top=3', 3],
    ['$top=10&$select=id', 10],
  ] as const)('?%s, through the whole feed and a later round of changes', async (query, top) => {
    const given = options(query);
    const first = await follow(`/me/notifications/delta?${query}`, given);
    const changes = first.pages.flat();
    const ids = changes.map((change) => change['id']);
    // Earlier rows' deletions may show as removals; what is in the feed shows exactly once.
    expect(new Set(changes.filter((change) => change['@removed'] === undefined).map((change) => change['id']))).toEqual(new Set(sent.map((n) => n.id)));
    expect(ids.length).toBe(new Set(ids).size);
    expectPageSizes(first.pages, top, changes.length);
    expect(first.last).toBeDefined();

    // A later round: new notifications and a deletion, read from the deltaLink in pages of $top.
    const before = sent.length;
    for (let i = 0; i < 4; i += 1) await send(before + i);
    const removed = sent.pop();
    await api.call('DELETE', `/me/notifications/${String(removed?.id)}`, { headers: alice });
    const link = new URL(first.last as string);
    const later = await follow(`${link.pathname}${link.search}`, given);
    const laterChanges = later.pages.flat();
    expect(new Set(laterChanges.map((change) => change['id']))).toEqual(new Set([...sent.slice(before).map((n) => n.id), removed?.id]));
    expectPageSizes(later.pages, top, laterChanges.length);
  });
});
