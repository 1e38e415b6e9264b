import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestTarget, segmentsOf } from '../src/request-target.js';
import { startApi, type Api } from './support.js';

/** What the handler used before the shortcut, and still uses for anything unusual. */
function parsed(target: string): { pathname: string; search: string } | undefined {
  try {
    const url = new URL(target, 'http://placeholder');
    return { pathname: url.pathname, search: url.search };
  } catch {
    return undefined;
  }
}

// Characters that matter to URL parsing: separators, dots and their escapes, characters it
// percent-encodes in a path or a query, whitespace it strips, and plain ones.
const pieces = ['/', '//', '.', '..', '%2e', '%2E', '%', '%41', '?', '#', "'", '\\', ' ', '\t', '\n', '^', '`', '{', '}', '"', '<', '>', '|', 'é', '€', '\u0000', 'me', 'notifications', '$top=5', '&', '=', '+', '~', '@', ':', 'a'];
const target = fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((parts) => `/${parts.join('')}`);

describe('segmentsOf', () => {
  it('gives the non-empty pieces between slashes, for any path', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('/', '//', 'me', 'notifications', '%2F', 'a', '.', ''), { maxLength: 12 }), (parts) => {
        const path = parts.join('');
        expect(segmentsOf(path)).toEqual(path.split('/').filter((segment) => segment !== ''));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('requestTarget', () => {
  it('gives what URL parsing gives, for any target starting with /', () => {
    fc.assert(
      fc.property(target, (value) => {
        expect(requestTarget(value)).toEqual(parsed(value));
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    '/me/notifications',
    '/me/notifications?$top=5&$filter=readState%20eq%20%27unread%27',
    '/me/notifications?',
    '/me/./notifications',
    '/me/%2E%2e/notifications',
    '//evil/me/notifications',
    '/me\\notifications',
    "/me/notifications?x='a'",
    '/me/notifications#top',
    '/me/notifications/a b',
    'http://example.test/me/notifications?x=1',
    '*',
    '//',
  ])('%s', (value) => {
    expect(requestTarget(value)).toEqual(parsed(value));
  });
});

describe('request targets on a server', () => {
  let api: Api;
  let errors: unknown[];
  beforeAll(async () => {
    errors = [];
    api = await startApi({ onError: (error) => errors.push(error) });
  });
  afterAll(async () => {
    await api.close();
  });

  // Each target reaches the same feed, as URL parsing resolves it; the answer's links are built alike.
  it.each(['/me/notifications', '/me/./notifications', '/x/../me/notifications', '/me/%6Eotifications', '/me/notifications?', '/me/notifications?$top=1'])(
    '%s reads the feed',
    async (path) => {
      const answer = await api.call('GET', path, { headers: { authorization: 'Bearer alice' } });
      expect(answer.status).toBe(200);
      expect(answer.json()['@odata.context']).toBe(`http://127.0.0.1:${api.port}/$metadata#users('alice')/notifications`);
    },
  );

  it('answers a target that is not a URL (//) with 404, not a server fault', async () => {
    const answer = await api.call('GET', '//', { headers: { authorization: 'Bearer alice' } });
    expect(answer.status).toBe(404);
    expect((answer.json()['error'] as Record<string, unknown>)['code']).toBe('NOT_FOUND');
    expect(errors).toEqual([]);
  });
});
