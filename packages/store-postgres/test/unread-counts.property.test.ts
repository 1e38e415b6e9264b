/**
 * The unread counters never drift: random sequences of sends (updates among them, moving a
 * notification between groups), read and unread marks, deletes, group deletes, expiry
 * and purges go to this store and to the memory store, and after every step both answer
 * the same unread counts, unfiltered and by app, by group and by both.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { NotificationStore, UnreadFilter } from '@herald/core/store';
import { createMemoryStore } from '@herald/store-memory';
import { sampleNotification, sampleTime } from '@herald/testing';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';
import { schemaStores } from './schema-stores.js';

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgresServer();
});

afterAll(async () => {
  await server?.stop();
});

const users = ['alice', 'bob'] as const;
const hosts = ['one.example.com', 'two.example.com'] as const;
const groups = ['g1', 'g2', undefined] as const;

const step = fc.oneof(
  fc.record({
    kind: fc.constant('send' as const),
    user: fc.constantFrom(...users),
    host: fc.constantFrom(...hosts),
    app: fc.integer({ min: 0, max: 3 }),
    group: fc.constantFrom(...groups),
    // Some expire within the run: counted until then, taken off after, purged later.
    lifetimeMs: fc.constantFrom(5, 50, 86_400_000),
  }),
  fc.record({ kind: fc.constant('mark' as const), user: fc.constantFrom(...users), pick: fc.nat(), read: fc.boolean() }),
  fc.record({ kind: fc.constant('delete' as const), user: fc.constantFrom(...users), pick: fc.nat() }),
  fc.record({ kind: fc.constant('deleteGroup' as const), user: fc.constantFrom(...users), group: fc.constantFrom('g1', 'g2'), host: fc.constantFrom(...hosts, undefined) }),
  fc.record({ kind: fc.constant('purge' as const), limit: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 30 }) }),
);

const filters: readonly UnreadFilter[] = [{}, ...hosts.map((targetHostName) => ({ targetHostName })), { groupName: 'g1' }, { groupName: 'g2' }, { targetHostName: hosts[0], groupName: 'g1' }];

/** A live notification of the user's, picked by `pick` from the memory store's feed. */
async function picked(store: NotificationStore, user: string, pick: number, now: number): Promise<string | undefined> {
  const { items } = await store.listFeed(user, { limit: 100 }, now);
  return items.length === 0 ? undefined : items[pick % items.length]?.id;
}

it('keeps the same unread counts as the memory store through any sequence of writes', async () => {
  const stores = schemaStores(() => server.connectionString, 'unread_property');
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 25 }), async (steps) => {
      const memory = createMemoryStore();
      const postgres = await stores.createStore();
      try {
        let now = sampleTime;
        for (const [index, action] of steps.entries()) {
          const both = [memory, postgres];
          if (action.kind === 'send') {
            const notification = sampleNotification(
              { userId: action.user, targetHostName: action.host, appNotificationId: `a${action.app}`, groupName: action.group, expirationDateTime: new Date(now + action.lifetimeMs).toISOString() },
              now,
            );
            for (const store of both) await store.saveNotification({ notification, deliveries: [], now });
          } else if (action.kind === 'mark') {
            const id = await picked(memory, action.user, action.pick, now);
            if (id !== undefined) for (const store of both) await store.updateNotificationState(action.user, id, { readState: action.read ? 'read' : 'unread' }, now);
          } else if (action.kind === 'delete') {
            const id = await picked(memory, action.user, action.pick, now);
            if (id !== undefined) for (const store of both) await store.deleteNotification(action.user, id, now);
          } else if (action.kind === 'deleteGroup') {
            for (const store of both) await store.deleteGroup(action.user, action.group, action.host, now);
          } else if (action.kind === 'purge') {
            for (const store of both) await store.purgeExpired({ now, tombstonesBefore: now - 1_000, limit: action.limit });
          } else {
            now += action.ms;
          }
          for (const user of users) {
            for (const filter of filters) {
              expect(await postgres.countUnread(user, filter, now), `step ${index} (${action.kind}): ${user} ${JSON.stringify(filter)}`).toBe(await memory.countUnread(user, filter, now));
            }
          }
        }
      } finally {
        await postgres.close();
        await stores.destroyStore(postgres);
        await memory.close();
      }
    }),
    { numRuns: 12 },
  );
}, 240_000);
