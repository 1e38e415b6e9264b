import { afterEach, describe, expect, it } from 'vitest';
import type { StoredChange } from '@herald/core';
import { harness, referenceRequest, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.service.close();
});

async function sendMany(count: number, overrides: (i: number) => Record<string, unknown> = () => ({})): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const { notification } = await h.service.send(referenceRequest(h.clock.now(), { appNotificationId: `n${i}`, ...overrides(i) }), { userId: 'alice' });
    ids.push(notification.id);
    await h.clock.advance(1000);
  }
  return ids;
}

describe('the feed', () => {
  it('pages newest first with opaque cursors, stable while notifications arrive', async () => {
    h = await harness();
    const ids = await sendMany(25);
    const first = await h.service.feed.list('alice', { limit: 10 });
    expect(first.items.map((n) => n.id)).toEqual(ids.slice(15).reverse());
    await sendMany(5, (i) => ({ appNotificationId: `late${i}` }));
    const second = await h.service.feed.list('alice', { limit: 10, cursor: first.nextCursor as string });
    const third = await h.service.feed.list('alice', { limit: 10, cursor: second.nextCursor as string });
    expect([...second.items, ...third.items].map((n) => n.id)).toEqual(ids.slice(0, 15).reverse());
    expect(third.nextCursor).toBeUndefined();
  });

  it('filters by unread, group and app, and counts unread', async () => {
    h = await harness();
    const ids = await sendMany(6, (i) => ({ groupName: i % 2 === 0 ? 'even' : 'odd', targetHostName: i < 3 ? 'a.example' : 'b.example' }));
    await h.service.feed.markRead('alice', ids[0] as string);
    await h.service.feed.markRead('alice', ids[3] as string);
    expect((await h.service.feed.list('alice', { unread: true })).items).toHaveLength(4);
    expect((await h.service.feed.list('alice', { groupName: 'even' })).items.map((n) => n.id)).toEqual([ids[4], ids[2], ids[0]]);
    expect((await h.service.feed.list('alice', { targetHostName: 'a.example', unread: true })).items.map((n) => n.id)).toEqual([ids[2], ids[1]]);
    expect(await h.service.feed.unreadCount('alice')).toBe(4);
    expect(await h.service.feed.unreadCount('alice', { groupName: 'odd' })).toBe(2);
    expect(await h.service.feed.unreadCount('bob')).toBe(0);
  });

  it('changes read and action state, and refuses unknown states and notifications', async () => {
    h = await harness();
    const [id] = await sendMany(1);
    const changed: string[] = [];
    h.service.on('notification.stateChanged', (event) => changed.push(`${event.notification.readState}/${event.notification.userActionState}`));
    await h.service.feed.setUserActionState('alice', id as string, 'dismissed');
    await h.service.feed.update('alice', id as string, { readState: 'read', userActionState: 'activated' });
    await h.service.feed.markRead('alice', id as string); // no change, no event
    expect(changed).toEqual(['unread/dismissed', 'read/activated']);
    await expect(h.service.feed.update('alice', id as string, { readState: 'seen' } as never)).rejects.toMatchObject({ code: 'CONTRACT_MISMATCH' });
    await expect(h.service.feed.update('alice', id as string, {})).rejects.toMatchObject({ code: 'CONTRACT_MISMATCH' });
    await expect(h.service.feed.update('alice', id as string, { title: 'x' } as never)).rejects.toMatchObject({ code: 'CONTRACT_MISMATCH' });
    await expect(h.service.feed.markRead('bob', id as string)).rejects.toMatchObject({ code: 'NOTIFICATION_NOT_FOUND' });
    expect(await h.service.feed.get('bob', id as string)).toBeUndefined();
  });

  it('deletes one notification and a group', async () => {
    h = await harness();
    const ids = await sendMany(5, (i) => ({ groupName: i < 3 ? 'chat' : 'news' }));
    expect(await h.service.feed.delete('alice', ids[4] as string)).toBe(true);
    expect(await h.service.feed.delete('alice', ids[4] as string)).toBe(false);
    expect(await h.service.feed.deleteGroup('alice', 'chat', { targetHostName: 'other.example' })).toBe(0);
    expect(await h.service.feed.deleteGroup('alice', 'chat')).toBe(3);
    expect((await h.service.feed.list('alice')).items.map((n) => n.id)).toEqual([ids[3]]);
    expect(await h.service.deliveries.list('alice', ids[0] as string)).toEqual([]);
  });

  it('reports what changed since a cursor, for a client that reconnects', async () => {
    h = await harness();
    const [a, b, c] = await sendMany(3);
    const sync = await h.service.feed.changesSince('alice');
    expect(sync.changes.map((change) => change.type)).toEqual(['created', 'created', 'created']);
    expect(sync.hasMore).toBe(false);

    await h.service.feed.markRead('alice', a as string);
    await h.service.send(referenceRequest(h.clock.now(), { appNotificationId: 'n1', groupName: 'Edited' }), { userId: 'alice' });
    await h.service.feed.delete('alice', c as string);
    const [d] = await sendMany(1, () => ({ appNotificationId: 'new' }));
    const delta = await h.service.feed.changesSince('alice', sync.cursor);
    const summary = (changes: readonly StoredChange[]): string[] => changes.map((change) => `${change.type}:${change.notificationId}`);
    expect(summary(delta.changes)).toEqual([`stateChanged:${a}`, `updated:${b}`, `deleted:${c}`, `created:${d}`]);
    expect(delta.changes.find((change) => change.type === 'deleted')?.notification).toBeUndefined();

    const nothing = await h.service.feed.changesSince('alice', delta.cursor);
    expect(nothing.changes).toEqual([]);
    expect(nothing.cursor).toBe(delta.cursor);

    const paged = await h.service.feed.changesSince('alice', sync.cursor, { limit: 2 });
    expect(paged.hasMore).toBe(true);
    const rest = await h.service.feed.changesSince('alice', paged.cursor, { limit: 2 });
    expect(summary([...paged.changes, ...rest.changes])).toEqual(summary(delta.changes));
  });

  it('refuses forged cursors and expires old ones after the retention', async () => {
    h = await harness({ changeRetentionMs: 60_000 });
    const [a] = await sendMany(2);
    const { cursor } = await h.service.feed.changesSince('alice');
    await expect(h.service.feed.list('alice', { cursor })).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    await expect(h.service.feed.changesSince('alice', 'not-a-cursor')).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    await expect(h.service.feed.changesSince('alice', 'x'.repeat(5000))).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    await h.service.feed.delete('alice', a as string);
    await h.clock.advance('2m');
    await h.service.purgeExpired();
    await expect(h.service.feed.changesSince('alice', cursor)).rejects.toMatchObject({ code: 'CURSOR_EXPIRED' });
  });

  it('never lists expired notifications, and the purge removes them', async () => {
    // Not started: the periodic purge of a running service would remove them first.
    h = await harness({ dispatcher: { autoStart: false } });
    await sendMany(3, (i) => ({ expirationDateTime: new Date(h.clock.now() + (i + 1) * 60_000).toISOString() }));
    await h.clock.advance('90s');
    expect((await h.service.feed.list('alice')).items).toHaveLength(2);
    expect(await h.service.feed.unreadCount('alice')).toBe(2);
    await h.clock.advance('10m');
    expect((await h.service.feed.list('alice')).items).toHaveLength(0);
    expect(await h.service.purgeExpired()).toMatchObject({ notifications: 3 });
  });

  it('validates list options', async () => {
    h = await harness();
    for (const options of [{ limit: 0 }, { limit: 1001 }, { limit: 1.5 }, { unread: 'yes' }, { groupName: '' }]) {
      await expect(h.service.feed.list('alice', options as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });
});
