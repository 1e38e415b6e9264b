import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createNotificationService, type FeedWatch, type FeedWatchChange, type FeedWatchEvent, type NotificationStore } from '@herald/core';
import { type FeedChangeListener } from '@herald/core/store';
import { createMemoryStore } from '@herald/store-memory';
import { createFakeClock } from '@herald/testing';
import { harness, referenceRequest, type Harness } from './support.js';

let h: Harness;
const watches: FeedWatch[] = [];
afterEach(async () => {
  for (const watch of watches.splice(0)) await watch.return();
  await h?.service.close();
});

function watch(userId: string, options?: Parameters<Harness['service']['feed']['watch']>[1]): FeedWatch {
  const opened = h.service.feed.watch(userId, options);
  watches.push(opened);
  return opened;
}

/** The next event, or `'pending'` when none comes while the work under way settles. */
async function nextOrPending(iterator: FeedWatch): Promise<IteratorResult<FeedWatchEvent, undefined> | 'pending'> {
  const next = pendingNexts.get(iterator) ?? iterator.next();
  pendingNexts.delete(iterator);
  const settled = await Promise.race([next, h.clock.settle().then(() => 'pending' as const)]);
  if (settled === 'pending') pendingNexts.set(iterator, next);
  return settled;
}
const pendingNexts = new Map<FeedWatch, Promise<IteratorResult<FeedWatchEvent, undefined>>>();

/** Takes `count` events (a pending `next()` from `nextOrPending` first). */
async function take(iterator: FeedWatch, count: number): Promise<FeedWatchEvent[]> {
  const events: FeedWatchEvent[] = [];
  while (events.length < count) {
    const pending = pendingNexts.get(iterator);
    pendingNexts.delete(iterator);
    const result = await (pending ?? iterator.next());
    if (result.done === true) throw new Error(`the watch ended after ${events.length} of ${count} events`);
    events.push(result.value);
  }
  return events;
}

function change(event: FeedWatchEvent | undefined): FeedWatchChange {
  if (event === undefined || event.type === 'resync') throw new Error(`expected a change, got ${JSON.stringify(event)}`);
  return event;
}

async function send(appNotificationId: string, userId = 'alice') {
  return (await h.service.send(referenceRequest(h.clock.now(), { appNotificationId }), { userId })).notification;
}

describe('feed.watch', () => {
  it('starts with a full sync, then follows every kind of change with the unread count after it', async () => {
    h = await harness();
    const first = await send('a');
    await send('b');
    const live = watch('alice');
    const synced = (await take(live, 2)).map(change);
    expect(synced.map((e) => [e.type, e.unreadCount])).toEqual([['created', 2], ['created', 2]]);

    expect(await nextOrPending(live)).toBe('pending');
    const third = await send('c');
    const [created] = (await take(live, 1)).map(change);
    expect(created).toMatchObject({ type: 'created', notificationId: third.id, unreadCount: 3 });
    expect(created?.notification?.id).toBe(third.id);

    await h.service.feed.markRead('alice', first.id);
    await h.service.send(referenceRequest(h.clock.now(), { appNotificationId: 'b', payload: { visualContent: { title: 'again', body: 'b' } } }), { userId: 'alice' });
    await h.service.feed.delete('alice', third.id);
    const later = (await take(live, 3)).map(change);
    expect(later.map((e) => e.type)).toEqual(['stateChanged', 'updated', 'deleted']);
    expect(later[2]).toMatchObject({ notificationId: third.id, unreadCount: 1 });
    expect(later[2]?.notification).toBeUndefined();
    // Another user's changes never reach this watch.
    await send('other', 'bob');
    expect(await nextOrPending(live)).toBe('pending');
  });

  it('resumes after any event\'s cursor with exactly the changes that followed it', async () => {
    h = await harness();
    const ids = [];
    for (const name of ['a', 'b', 'c']) ids.push((await send(name)).id);
    const all = (await take(watch('alice'), 3)).map(change);
    await h.service.feed.markRead('alice', ids[0] as string);
    await h.service.feed.delete('alice', ids[1] as string);
    const resumed = watch('alice', { since: all[1]?.cursor as string });
    const events = (await take(resumed, 3)).map(change);
    expect(events.map((e) => [e.type, e.notificationId])).toEqual([
      ['created', ids[2]],
      ['stateChanged', ids[0]],
      ['deleted', ids[1]],
    ]);
    expect(await nextOrPending(resumed)).toBe('pending');
  });

  it('misses nothing and repeats nothing while sends race its catch-up (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 }), async (before, during, pageSize) => {
        h = await harness();
        for (let i = 0; i < before; i++) await send(`before${i}`);
        const live = watch('alice', { pageSize });
        // The sends start before the first read and run while the watch pages through.
        const sending = Promise.all(Array.from({ length: during }, (_, i) => send(`during${i}`)));
        const events = (await take(live, before + during)).map(change);
        await sending;
        expect(await nextOrPending(live)).toBe('pending');
        const ids = events.map((e) => e.notificationId);
        expect(new Set(ids).size).toBe(before + during);
        const last = events[events.length - 1];
        expect(last?.unreadCount).toBe(before + during);
        await live.return();
        await h.service.close();
      }),
      { numRuns: 25 },
    );
  });

  it('yields one resync and ends when its cursor is older than the change retention', async () => {
    h = await harness({ changeRetentionMs: 60_000 });
    const one = await send('a');
    await send('b');
    const [, second] = (await take(watch('alice'), 2)).map(change);
    await h.service.feed.delete('alice', one.id);
    const stale = second?.cursor as string;
    await h.clock.advance(120_000);
    await h.service.purgeExpired();
    const resumed = watch('alice', { since: stale });
    const events = await take(resumed, 1);
    expect(events[0]).toMatchObject({ type: 'resync', reason: 'cursorExpired' });
    expect(await resumed.next()).toEqual({ done: true, value: undefined });
  });

  it('wakes on a purge of expired notifications', async () => {
    h = await harness();
    const soon = (await h.service.send(referenceRequest(h.clock.now(), { appNotificationId: 'soon', expirationDateTime: new Date(h.clock.now() + 90_000).toISOString() }), { userId: 'alice' })).notification;
    const live = watch('alice', { pollIntervalMs: 24 * 60 * 60 * 1000 });
    await take(live, 1);
    expect(await nextOrPending(live)).toBe('pending');
    await h.clock.advance(100_000);
    await h.service.purgeExpired();
    const [gone] = (await take(live, 1)).map(change);
    expect(gone).toMatchObject({ type: 'deleted', notificationId: soon.id, unreadCount: 0 });
  });

  it('reads again after pollIntervalMs, finding a change no service write announced', async () => {
    h = await harness();
    const one = await send('a');
    const live = watch('alice', { pollIntervalMs: 5_000 });
    await take(live, 1);
    await h.service.store.deleteNotification('alice', one.id, h.clock.now()); // behind the service's back
    expect(await nextOrPending(live)).toBe('pending');
    await h.clock.advance(5_000);
    expect((await take(live, 1)).map(change)[0]).toMatchObject({ type: 'deleted', notificationId: one.id });
  });

  it('ends on return(), on its signal and when the service closes, settling a pending next()', async () => {
    h = await harness();
    const byReturn = watch('alice');
    expect(await nextOrPending(byReturn)).toBe('pending');
    await byReturn.return();
    expect(await pendingNexts.get(byReturn)).toEqual({ done: true, value: undefined });

    const controller = new AbortController();
    const bySignal = watch('alice', { signal: controller.signal });
    expect(await nextOrPending(bySignal)).toBe('pending');
    controller.abort();
    expect(await pendingNexts.get(bySignal)).toEqual({ done: true, value: undefined });
    expect(await watch('alice', { signal: AbortSignal.abort() }).next()).toEqual({ done: true, value: undefined });

    const byClose = watch('alice');
    expect(await nextOrPending(byClose)).toBe('pending');
    await h.service.close();
    expect(await pendingNexts.get(byClose)).toEqual({ done: true, value: undefined });
    pendingNexts.clear();
  });

  it('merges wake-ups while its consumer is slow: one page read per page, not one read per send', async () => {
    const clock = createFakeClock();
    const memory = createMemoryStore();
    let reads = 0;
    const store: NotificationStore = {
      ...memory,
      name: memory.name,
      capabilities: memory.capabilities,
      listChanges: (...args) => {
        reads++;
        return memory.listChanges(...args);
      },
    };
    const service = createNotificationService({ store, clock });
    h = { service, clock } as Harness;
    const live = watch('alice', { pageSize: 50 });
    expect(await nextOrPending(live)).toBe('pending');
    const readsBefore = reads;
    for (let i = 0; i < 200; i++) await send(`n${i}`);
    await take(live, 200);
    // The first send woke the pending next(); the 199 others merged into what followed.
    expect(reads - readsBefore).toBeLessThanOrEqual(6);
  });

  it('leaves nothing registered when the store\'s onFeedChange throws, so the last watch to end still releases the announcements', async () => {
    const memory = createMemoryStore();
    const listeners = new Set<FeedChangeListener>();
    let failures = 2;
    const store: NotificationStore = {
      ...memory,
      name: memory.name,
      capabilities: { ...memory.capabilities, feedWakeups: true },
      onFeedChange(listener) {
        if (failures-- > 0) throw Object.assign(new Error('the subscriber connection is down'), { code: 'STORE_UNAVAILABLE' });
        listeners.add(listener);
        return { ready: Promise.resolve(), stop: () => listeners.delete(listener) };
      },
      async feedChanged() {},
    };
    h = { service: createNotificationService({ store, dispatcher: { autoStart: false } }), clock: createFakeClock() } as Harness;
    for (const user of ['alice', 'bob']) expect(() => h.service.feed.watch(user)).toThrow(/subscriber connection is down/);
    const live = [watch('alice'), watch('bob'), watch('alice')];
    expect(listeners.size).toBe(1);
    for (const each of live) await each.return();
    expect(listeners.size).toBe(0); // a failed registration left behind would hold it forever
  });

  it('registers with the store\'s announcements before its first read and releases them when it ends', async () => {
    const clock = createFakeClock();
    const memory = createMemoryStore();
    const listeners = new Set<FeedChangeListener>();
    const announced: (readonly string[] | undefined)[] = [];
    let becomeReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (becomeReady = resolve));
    const store: NotificationStore = {
      ...memory,
      name: memory.name,
      capabilities: { ...memory.capabilities, feedWakeups: true },
      onFeedChange(listener) {
        listeners.add(listener);
        return { ready, stop: () => listeners.delete(listener) };
      },
      async feedChanged(userIds) {
        announced.push(userIds);
      },
    };
    h = { service: createNotificationService({ store, clock }), clock } as Harness;
    const reading = { count: 0 };
    const original = memory.listChanges.bind(memory);
    store.listChanges = (...args) => {
      reading.count++;
      return original(...args);
    };
    const live = watch('alice');
    expect(listeners.size).toBe(1);
    expect(await nextOrPending(live)).toBe('pending');
    expect(reading.count).toBe(0); // waits for the subscription before the catch-up read
    becomeReady();
    expect(await nextOrPending(live)).toBe('pending');
    expect(reading.count).toBe(1);
    // Another process's write, announced: the watch reads again.
    const elsewhere = createNotificationService({ store: memory, clock, dispatcher: { autoStart: false } });
    const other = await elsewhere.send(referenceRequest(clock.now(), { appNotificationId: 'elsewhere' }), { userId: 'alice' });
    expect(await nextOrPending(live)).toBe('pending'); // not announced yet
    for (const listener of listeners) listener('alice');
    expect((await take(live, 1)).map(change)[0]).toMatchObject({ type: 'created', notificationId: other.notification.id });
    // This process's writes are announced to the others, after the write.
    await send('mine');
    expect(announced).toContainEqual(['alice']);
    await take(live, 1);
    await live.return();
    expect(listeners.size).toBe(0);
  });

  it('refuses bad arguments at once with typed errors', async () => {
    h = await harness();
    const cases: [unknown, unknown, string, RegExp][] = [
      ['', undefined, 'INVALID_ARGUMENT', /userId/],
      ['alice', { sinse: 'x' }, 'INVALID_ARGUMENT', /sinse.*since/],
      ['alice', 'soon', 'INVALID_ARGUMENT', /must be an object/],
      ['alice', { since: 'not-a-cursor' }, 'INVALID_CURSOR', /change cursor/],
      ['alice', { since: Buffer.from('f1:5').toString('base64url') }, 'INVALID_CURSOR', /change cursor/],
      ['alice', { signal: {} }, 'INVALID_ARGUMENT', /AbortSignal/],
      // The message names the option given, pageSize, not the store's word for it.
      ['alice', { pageSize: 0 }, 'INVALID_ARGUMENT', /^pageSize must be a whole number from 1 to 1000, got number 0$/],
      ['alice', { pageSize: 1001 }, 'INVALID_ARGUMENT', /^pageSize must .* got number 1001$/],
      ['alice', { pageSize: 2.5 }, 'INVALID_ARGUMENT', /^pageSize must .* got number 2\.5$/],
      ['alice', { pageSize: '10' }, 'INVALID_ARGUMENT', /^pageSize must .* got the string "10"$/],
      ['alice', { pageSize: Number.NaN }, 'INVALID_ARGUMENT', /^pageSize must .* got number NaN$/],
      ['alice', { pollIntervalMs: 0 }, 'INVALID_ARGUMENT', /pollIntervalMs/],
      ['alice', { pollIntervalMs: 1.5 }, 'INVALID_ARGUMENT', /pollIntervalMs/],
    ];
    for (const [userId, options, code, message] of cases) {
      expect(() => h.service.feed.watch(userId as string, options as never), JSON.stringify(options)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
    }
    await h.service.close();
    expect(() => h.service.feed.watch('alice')).toThrow(expect.objectContaining({ code: 'SERVICE_CLOSED' }));
  });
});

