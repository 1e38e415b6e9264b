/**
 * A send in the app's transaction (`SendOptions.transaction`): refused, with nothing
 * written, by a store that cannot join one; passed to a store that can as
 * `write.transaction`, with delivery left to the store's wake-up on commit.
 * The PostgreSQL store's tests check the commit and the rollback against a real server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotificationService, isHeraldError, type NotificationStore, type StoreTransaction } from '@herald/core';
import type { NotificationWrite } from '@herald/core/store';
import { createFileStore } from '@herald/store-file';
import { createMemoryStore } from '@herald/store-memory';
import { createFakeClock } from '@herald/testing';
import { app, recordingTransport, referenceRequest } from './support.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serviceOn(store: NotificationStore) {
  const clock = createFakeClock();
  const transport = recordingTransport();
  const service = createNotificationService({ store, transports: [transport], clock });
  cleanups.push(() => service.close());
  await service.subscriptions.create('alice', { targetHostName: app, platformType: 'windows', transport: transport.name, address: 'windows://alice' });
  await clock.settle(); // the dispatcher's first look at the store is over: only a wake-up starts another
  return { service, clock, transport };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!isHeraldError(error)) throw new Error(`expected a HeraldError, got ${String(error)}`);
  return error;
}

describe('a send with the transaction option', () => {
  const stores: { name: string; open: () => NotificationStore | Promise<NotificationStore> }[] = [
    { name: 'memory', open: () => createMemoryStore() },
    {
      name: 'file',
      open: async () => {
        const directory = mkdtempSync(join(tmpdir(), 'herald-send-transaction-'));
        cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
        return createFileStore({ directory });
      },
    },
  ];

  it.each(stores)('is refused by the $name store, which cannot join one, with nothing written', async ({ name, open }) => {
    const { service } = await serviceOn(await open());
    const error = await refusal(service.send(referenceRequest(Date.now()), { userId: 'alice' }, { transaction: {} }));
    expect(error.code).toBe('TRANSACTION_UNSUPPORTED');
    expect(error.message).toContain('transaction');
    expect(error.message).toContain(`the ${name} store`);
    expect((await service.feed.list('alice')).items).toEqual([]);
  });

  it.each([null, 1, 'BEGIN', true])('refuses %j as the transaction with INVALID_ARGUMENT naming the option', async (value) => {
    const { service } = await serviceOn(createMemoryStore());
    const error = await refusal(service.send(referenceRequest(Date.now()), { userId: 'alice' }, { transaction: value as unknown as StoreTransaction }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/^transaction must be the app's open transaction/);
  });

  it('is passed to a store that joins transactions, and delivery waits for the store\'s wake-up on commit', async () => {
    // The memory store stands in for one that joins the app's transaction: its write is
    // visible at once, so a service that started delivery on the send itself would deliver.
    const memory = createMemoryStore();
    const writes: NotificationWrite[] = [];
    const wakeListeners = new Set<() => void>();
    const store: NotificationStore = {
      ...memory,
      name: 'transactional',
      capabilities: { ...memory.capabilities, wakeups: true, transactions: true },
      saveNotification(write) {
        writes.push(write);
        return memory.saveNotification(write);
      },
      onWake(listener) {
        wakeListeners.add(listener);
        return () => wakeListeners.delete(listener);
      },
      async wake() {},
    };
    const { service, clock, transport } = await serviceOn(store);
    const announced: string[] = [];
    service.on('notification.created', ({ notification }) => announced.push(notification.id));
    const transaction = { client: 'the app\'s, inside BEGIN' };

    const result = await service.send(referenceRequest(clock.now()), { userId: 'alice' }, { transaction });
    expect(writes.at(-1)?.transaction).toBe(transaction);
    expect(result).toMatchObject({ created: true, replayed: false });
    expect(result.deliveries).toHaveLength(1);
    await clock.settle();
    expect(transport.calls).toHaveLength(0); // not committed as far as the service knows
    expect(announced).toEqual([]); // the app may still roll back

    for (const listener of wakeListeners) listener(); // the store's wake-up, sent by the commit
    await clock.settle();
    expect(transport.calls.map((call) => call.message.notification.id)).toEqual([result.notification.id]);

    // Without the option the write carries no transaction and delivery starts at once.
    const plain = await service.send(referenceRequest(clock.now(), { appNotificationId: 'plain' }), { userId: 'alice' });
    expect('transaction' in (writes.at(-1) ?? {})).toBe(false);
    await clock.settle();
    expect(transport.calls.map((call) => call.message.notification.id)).toEqual([result.notification.id, plain.notification.id]);
    expect(announced).toEqual([plain.notification.id]);
  });
});
