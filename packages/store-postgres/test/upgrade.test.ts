/**
 * Upgrades of a schema that holds data, from each earlier version: data written by the
 * store is taken back to version v (the later migrations undone by the statements below),
 * then the store refuses to open it without migrating, `migratePostgresStore` applies the
 * later migrations only, and the store reads back everything it had written — and the
 * later versions' features work on the old data. A new migration fails this test until
 * its undo is added here, so every released version keeps an upgrade test.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldError, type NotificationStore } from '@herald/core';
import { sampleNotification, sampleSubscription, sampleTime, sampleUser } from '@herald/testing';
import { createPostgresStore, migratePostgresStore } from '../src/index.js';
import { latestVersion } from '../src/migrations/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';
import { dropSchema } from './schema-stores.js';

/** The statements that undo migration N (N ≥ 2), for a schema's name. */
const undo: Record<number, (schema: string) => string> = {
  2: (schema) => `ALTER TABLE "${schema}".users DROP COLUMN preferences; ALTER TABLE "${schema}".notifications DROP COLUMN decisions;`,
  3: (schema) => `ALTER TABLE "${schema}".users DROP COLUMN version;`,
  4: (schema) =>
    `DROP TRIGGER subscriptions_inserted_version ON "${schema}".subscriptions; DROP TRIGGER subscriptions_updated_version ON "${schema}".subscriptions; ` +
    `DROP TRIGGER subscriptions_deleted_version ON "${schema}".subscriptions; DROP TRIGGER preferences_version ON "${schema}".users; ` +
    `DROP FUNCTION "${schema}".herald_subscribers_version(); DROP FUNCTION "${schema}".herald_preferences_version();`,
};

let server: PostgresServer;
let admin: pg.Client;

beforeAll(async () => {
  server = await startPostgresServer();
  admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
});

afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

/** Writes a little of everything: subscriptions, two notifications with deliveries, a state change, a deletion. */
async function writeSome(store: NotificationStore): Promise<void> {
  const now = sampleTime;
  const windows = await store.createSubscription(sampleSubscription({ platformType: 'windows', address: 'https://example.com/w' }), now);
  await store.createSubscription(sampleSubscription({ platformType: 'android', address: 'https://example.com/a' }), now);
  const delivery = { subscriptionId: windows.id, transport: windows.transport, platformType: windows.platformType, kind: 'notification' as const, nextAttemptAt: now };
  const first = await store.saveNotification({ notification: sampleNotification({ id: randomUUID(), appNotificationId: 'one' }), deliveries: [{ id: randomUUID(), ...delivery }], now });
  await store.saveNotification({ notification: sampleNotification({ id: randomUUID(), appNotificationId: 'two', groupName: 'digest' }), deliveries: [{ id: randomUUID(), ...delivery }], now: now + 1 });
  const third = await store.saveNotification({ notification: sampleNotification({ id: randomUUID(), appNotificationId: 'three' }), deliveries: [], now: now + 2 });
  await store.updateNotificationState(sampleUser, first.notification.id, { readState: 'read' }, now + 3);
  await store.deleteNotification(sampleUser, third.notification.id, now + 4);
}

/** What the store reads back of the user: feed, unread count, changes, subscriptions, deliveries. */
async function readAll(store: NotificationStore): Promise<unknown> {
  const now = sampleTime + 5;
  const feed = await store.listFeed(sampleUser, { limit: 100 }, now);
  return {
    feed,
    unread: await store.countUnread(sampleUser, {}, now),
    changes: await store.listChanges(sampleUser, 0, 100, now),
    changesSinceFirst: await store.listChanges(sampleUser, 1, 100, now),
    subscriptions: await store.listSubscriptions(sampleUser),
    deliveries: await Promise.all(feed.items.map((item) => store.listDeliveries(sampleUser, item.id))),
  };
}

async function versionsOf(schema: string): Promise<number[]> {
  const { rows } = await admin.query<{ version: number }>(`SELECT version FROM "${schema}".herald_migrations ORDER BY version`);
  return rows.map((row) => row.version);
}

describe('upgrading a schema that holds data', () => {
  it('has the undo of every migration after the first, so each earlier version is tested', () => {
    expect(Object.keys(undo).map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: latestVersion - 1 }, (_, i) => i + 2));
  });

  const earlier = Array.from({ length: latestVersion - 1 }, (_, i) => i + 1);
  it.each(earlier)('from version %i: refused unmigrated, then migrated, with every row read back as written', async (version) => {
    const schema = `upgrade_from_${version}`;
    const options = { connectionString: server.connectionString, schema };
    await migratePostgresStore(options);
    const store = await createPostgresStore(options);
    await writeSome(store);
    const before = await readAll(store);
    expect(before, 'two live notifications, one unread, a tombstone, deliveries').toMatchObject({ feed: { items: [{}, {}] }, unread: 1, deliveries: [[{}], [{}]] });
    expect((before as { changesSinceFirst: { changes: unknown[] } }).changesSinceFirst.changes.length).toBeGreaterThan(0);
    await store.close();

    for (let step = latestVersion; step > version; step -= 1) {
      await admin.query(`BEGIN; ${(undo[step] as (schema: string) => string)(schema)} DELETE FROM "${schema}".herald_migrations WHERE version = ${step}; COMMIT;`);
    }
    expect(await versionsOf(schema)).toEqual(Array.from({ length: version }, (_, i) => i + 1));

    const refused: unknown = await createPostgresStore(options).then(
      (opened) => opened.close(),
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(HeraldError);
    expect(refused).toMatchObject({ code: 'STORE_VERSION_MISMATCH' });
    expect((refused as Error).message).toContain(`is at version ${version}`);

    const result = await migratePostgresStore(options);
    expect(result.version).toBe(latestVersion);
    expect(result.applied).toHaveLength(latestVersion - version);

    const upgraded = await createPostgresStore(options);
    try {
      expect(await readAll(upgraded)).toEqual(before);
      // The later versions' features on the old data: preferences (version 2) start unset and are kept.
      expect(await upgraded.getPreferences(sampleUser)).toBeUndefined();
      await upgraded.setPreferences(sampleUser, { platforms: { android: 'optOut' } }, sampleTime + 6);
      expect(await upgraded.getPreferences(sampleUser)).toEqual({ platforms: { android: 'optOut' } });
      expect(await readAll(upgraded), 'setting preferences changes no notification').toEqual(before);
    } finally {
      await upgraded.close();
      await dropSchema(server.connectionString, schema);
    }
  });
});
