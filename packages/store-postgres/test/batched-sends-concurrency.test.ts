/**
 * Batched sends (group commit) from several instances at once, racing subscription
 * changes, repeated app ids (an update of a notification another instance is creating)
 * and repeated idempotency keys. What must hold however the batches interleave:
 * - a send plans from the subscriptions as they stand at its write: an endpoint created
 *   before the send began and not deleted until it ended gets a delivery; one deleted
 *   before the send began gets none;
 * - one notification per app id, one per idempotency key (every replay returns it);
 * - each user's change feed has no gap or repeat, and the unread count is the feed's.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DeliveryPlan } from '@herald/core/store';
import { sampleDeliveries, sampleNotification, sampleSubscription, sampleTime, seededRandom } from '@herald/testing';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';
import { dropSchema } from './schema-stores.js';

let server: PostgresServer;
const stores: PostgresStore[] = [];

beforeAll(async () => {
  server = await startPostgresServer();
  await dropSchema(server.connectionString, 'batched_race');
  for (let i = 0; i < 3; i++) stores.push(await createPostgresStore({ connectionString: server.connectionString, schema: 'batched_race', migrate: true }));
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await server?.stop();
});

const t0 = sampleTime;
const users = ['u0', 'u1', 'u2', 'u3'];

/** Every active endpoint gets a delivery. */
const everyActive: DeliveryPlan = (recipient) => ({ deliveries: sampleDeliveries(recipient.subscriptions.filter((s) => s.status === 'active'), { nextAttemptAt: t0 }) });

interface SubscriptionLife {
  readonly userId: string;
  id?: string;
  createdBy?: number;
  deleteStarted?: number;
  deletedBy?: number;
}

interface SendRecord {
  readonly userId: string;
  readonly started: number;
  readonly ended: number;
  readonly subscriptionIds: readonly string[];
  readonly created: boolean;
  readonly replayed: boolean;
}

it('keeps every send planned at its write, one notification per app id and key, and each feed whole', async () => {
  const random = seededRandom(7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  let clock = 0;
  const tick = (): number => ++clock;
  const lives: SubscriptionLife[] = [];
  const sends: SendRecord[] = [];
  const byKey = new Map<string, Set<string>>();
  // Every user has a row and is known to every instance: their sends are batched.
  for (const userId of users) {
    const life: SubscriptionLife = { userId };
    lives.push(life);
    const created = await (stores[0] as PostgresStore).createSubscription(sampleSubscription({ userId }, t0), t0);
    life.id = created.id;
    life.createdBy = tick();
    for (const store of stores) await store.saveNotification({ notification: sampleNotification({ userId, appNotificationId: `warm-${stores.indexOf(store)}` }, t0), deliveries: everyActive, now: t0 });
  }
  const work: Promise<void>[] = [];
  for (let round = 0; round < 30; round++) {
    const changes: Promise<void>[] = [];
    for (let i = 0; i < 16; i++) {
      const store = pick(stores);
      const userId = pick(users);
      const roll = random();
      if (roll < 0.12) {
        const life: SubscriptionLife = { userId };
        lives.push(life);
        changes.push(
          store.createSubscription(sampleSubscription({ userId, platformType: pick(['windows', 'ios', 'android'] as const) }, t0), t0).then((created) => {
            life.id = created.id;
            life.createdBy = tick();
          }),
        );
      } else if (roll < 0.2) {
        const live = lives.filter((life) => life.userId === userId && life.createdBy !== undefined && life.deleteStarted === undefined);
        if (live.length === 0) continue;
        const life = pick(live);
        life.deleteStarted = tick();
        changes.push(store.deleteSubscription(life.id as string, t0).then(() => void (life.deletedBy = tick())));
      } else {
        // Mostly new notifications (what a batch writes); some updates of one another instance may be creating.
        const appNotificationId = random() < 0.25 ? `app-${Math.floor(random() * 3)}` : `new-${round}-${i}`;
        const key = random() < 0.5 ? `key-${Math.floor(random() * 4)}` : undefined;
        const notification = sampleNotification({ userId, appNotificationId }, t0);
        const fingerprint = `${appNotificationId}`;
        const started = tick();
        work.push(
          store
            .saveNotification({
              notification,
              deliveries: everyActive,
              now: t0 + round,
              ...(key === undefined ? {} : { idempotency: { key, fingerprint, expiresAt: t0 + 86_400_000 } }),
            })
            .then((result) => {
              if (key !== undefined) {
                const ids = byKey.get(`${userId}/${key}`) ?? new Set();
                ids.add(result.notification.id);
                byKey.set(`${userId}/${key}`, ids);
              }
              if (result.replay === undefined) {
                sends.push({ userId, started, ended: tick(), subscriptionIds: result.deliveries.map((d) => d.subscriptionId), created: result.created, replayed: false });
              }
            }),
        );
      }
    }
    // The round's subscription changes land while its sends are still in flight, so the
    // next round's sends race the recipient copies other instances read before them. Waiting
    // for the changes themselves (not a fixed time) keeps the race as large on a loaded
    // machine as on a quiet one.
    await Promise.all(changes);
    work.push(...changes);
  }
  await Promise.all(work);

  let checked = { alive: 0, gone: 0 };
  for (const send of sends) {
    for (const life of lives.filter((candidate) => candidate.userId === send.userId && candidate.id !== undefined)) {
      const alive = (life.createdBy as number) < send.started && (life.deleteStarted === undefined || life.deleteStarted > send.ended);
      const gone = life.deletedBy !== undefined && life.deletedBy < send.started;
      checked = { alive: checked.alive + (alive ? 1 : 0), gone: checked.gone + (gone ? 1 : 0) };
      if (alive) expect(send.subscriptionIds, `a send to ${send.userId} missed ${life.id}`).toContain(life.id);
      if (gone) expect(send.subscriptionIds, `a send to ${send.userId} used deleted ${life.id}`).not.toContain(life.id);
    }
  }
  // The run raced enough: endpoints created or deleted by one instance after others had read the user.
  expect(checked.alive).toBeGreaterThan(40);
  expect(checked.gone).toBeGreaterThan(40);
  for (const [key, ids] of byKey) expect([...ids], `one notification for key ${key}`).toHaveLength(1);

  const reader = stores[1] as PostgresStore;
  const now = t0 + 100;
  for (const userId of users) {
    const feed = await reader.listFeed(userId, { limit: 1000 }, now);
    const appIds = feed.items.map((n) => `${n.targetHostName}/${n.appNotificationId}`);
    expect(new Set(appIds).size, 'one notification per app id').toBe(appIds.length);
    const changes = await reader.listChanges(userId, 0, 1000, now);
    const sequences = changes.changes.map((change) => change.sequence);
    expect(sequences, 'the change feed has no repeats and ascends').toEqual([...new Set(sequences)].sort((a, b) => a - b));
    expect(Math.max(...sequences)).toBe(changes.cursor);
    expect(await reader.countUnread(userId, {}, now), 'the unread count is the feed\'s').toBe(feed.items.filter((n) => n.readState === 'unread').length);
  }
}, 120_000);
