/**
 * Group `preferences`: a user's preferences round-trip, a planned write receives them in
 * its recipient as they stand at the write, and the decisions a write keeps go with its
 * notification (replaced by an update, gone with a delete) — docs/stores.md, "Decisions
 * and preferences". Their durability is in the `durability` group.
 */
import { expect, it } from 'vitest';
import type { NotificationPreferences, NotificationStore } from '@herald/core';
import type { DeliveryPlan, Recipient } from '@herald/core/store';
import { sampleDeliveries, sampleNotification, sampleSubscription } from '../fixtures.js';
import type { StoreHarness } from './harness.js';
import { alice, bob, t0 } from './steps.js';

const quiet: NotificationPreferences = {
  default: 'optIn',
  apps: { 'mail.example': 'optOut', 'a "quoted" \u00e9 app': 'optIn' },
  groups: { news: 'optOut' },
  platforms: { ios: 'optOut' },
  transports: { webhook: 'optIn' },
  subscriptions: { 'sub-1': 'optOut' },
  quietHours: { timeZone: 'Europe/Berlin', windows: [{ days: ['monday', 'friday'], start: '22:00', end: '07:00' }] },
};

/** A plan that records the recipient it was called with and keeps `decisions`. */
function recordingPlan(seen: Recipient[], decisions?: string): DeliveryPlan {
  return (recipient) => {
    seen.push(recipient);
    const deliveries = sampleDeliveries(recipient.subscriptions, { nextAttemptAt: t0 });
    return decisions === undefined ? { deliveries } : { deliveries, decisions };
  };
}

/** Saves a notification of `userId` with `appNotificationId`, keeping `decisions`; returns its id. */
async function saveWithDecisions(store: NotificationStore, userId: string, appNotificationId: string, decisions: string | undefined, seen: Recipient[] = []): Promise<string> {
  const result = await store.saveNotification({ notification: sampleNotification({ userId, appNotificationId }, t0), deliveries: recordingPlan(seen, decisions), now: t0 });
  return result.notification.id;
}

/** Registers the tests of the group. */
export function preferenceTests(h: StoreHarness): void {
  it('returns the preferences last set, equal and unshared, and none before any set', async () => {
    expect(await h.store.getPreferences(alice), 'none before a set').toBeUndefined();
    const given = structuredClone(quiet);
    await h.store.setPreferences(alice, given, t0);
    (given.groups as Record<string, string>)['news'] = 'optIn';
    const read = await h.store.getPreferences(alice);
    expect(read, 'a change to the object given after the set does not reach the store').toEqual(quiet);
    try {
      (read as { default?: string }).default = 'optOut';
    } catch {
      // A frozen copy refuses the change, as it may.
    }
    expect(await h.store.getPreferences(alice), 'nor does a change to the object read').toEqual(quiet);
    await h.store.setPreferences(alice, { default: 'optOut' }, t0 + 1);
    expect(await h.store.getPreferences(alice), 'a set replaces the whole').toEqual({ default: 'optOut' });
    expect(await h.store.getPreferences(bob), 'another user has none').toBeUndefined();
  });

  it('plans a write with the recipient as it stands at the write: subscriptions and preferences', async () => {
    const subscription = await h.store.createSubscription(sampleSubscription({ userId: alice }, t0), t0);
    const seen: Recipient[] = [];
    await saveWithDecisions(h.store, alice, 'before', undefined, seen);
    expect(seen.at(-1)?.preferences, 'no preferences before a set').toBeUndefined();
    expect(seen.at(-1)?.subscriptions.map((s) => s.id)).toEqual([subscription.id]);
    await h.store.setPreferences(alice, quiet, t0);
    await saveWithDecisions(h.store, alice, 'after', undefined, seen);
    expect(seen.at(-1)?.preferences, 'a write after setPreferences resolved plans with them').toEqual(quiet);
    await h.store.setPreferences(bob, { default: 'optOut' }, t0);
    await h.store.setPreferences(alice, { platforms: { windows: 'optOut' } }, t0);
    await saveWithDecisions(h.store, alice, 'again', undefined, seen);
    expect(seen.at(-1)?.preferences, 'the latest, and only the user’s own').toEqual({ platforms: { windows: 'optOut' } });
  });

  it('keeps a write’s decisions with its notification: replaced by an update, dropped by one without, gone with a delete', async () => {
    const decisions = '[["sub-1","skipped",0,["p","app","optOut","mail.example"]]]';
    const id = await saveWithDecisions(h.store, alice, 'n', decisions);
    expect(await h.store.getDeliveryDecisions(alice, id)).toBe(decisions);
    expect(await h.store.getDeliveryDecisions(bob, id), 'another user’s notification has none for bob').toBeUndefined();
    expect(await saveWithDecisions(h.store, alice, 'n', '[["sub-2","skipped",0,"inactive"]]'), 'the same app id updates').toBe(id);
    expect(await h.store.getDeliveryDecisions(alice, id), 'an update’s decisions replace the first write’s').toBe('[["sub-2","skipped",0,"inactive"]]');
    await saveWithDecisions(h.store, alice, 'n', undefined);
    expect(await h.store.getDeliveryDecisions(alice, id), 'an update without decisions leaves none').toBeUndefined();
    const listed = await h.store.saveNotification({ notification: sampleNotification({ userId: alice, appNotificationId: 'listed' }, t0), deliveries: [], now: t0 });
    expect(await h.store.getDeliveryDecisions(alice, listed.notification.id), 'a listed write keeps none').toBeUndefined();
    const other = await saveWithDecisions(h.store, alice, 'gone', decisions);
    expect(await h.store.deleteNotification(alice, other, t0)).toBe(true);
    expect(await h.store.getDeliveryDecisions(alice, other), 'they go with the notification').toBeUndefined();
    expect(await h.store.getDeliveryDecisions(alice, 'no-such-notification')).toBeUndefined();
  });
}

/** For the `durability` group: preferences and decisions survive compaction and a reopen, and a reopen that replays the log. */
export function preferenceDurabilityTests(h: StoreHarness, reopenOf: (h: StoreHarness) => (store: NotificationStore) => Promise<NotificationStore>): void {
  it('keeps preferences and decisions after compaction and a reopen, and after a reopen that replays the log', async () => {
    const reopen = reopenOf(h);
    let store = await h.open();
    await store.setPreferences(alice, quiet, t0);
    const first = await saveWithDecisions(store, alice, 'first', '[["s","deferred",5,["q",5]]]');
    await h.compact?.(store);
    store = await reopen(store);
    expect(await store.getPreferences(alice)).toEqual(quiet);
    expect(await store.getDeliveryDecisions(alice, first)).toBe('[["s","deferred",5,["q",5]]]');
    await store.setPreferences(bob, { default: 'optOut' }, t0);
    const second = await saveWithDecisions(store, bob, 'second', '[["s","skipped",0,"app"]]');
    store = await reopen(store);
    expect(await store.getPreferences(bob)).toEqual({ default: 'optOut' });
    expect(await store.getDeliveryDecisions(bob, second)).toBe('[["s","skipped",0,"app"]]');
    const seen: Recipient[] = [];
    await saveWithDecisions(store, alice, 'third', undefined, seen);
    expect(seen.at(-1)?.preferences, 'a send after the reopen plans with them').toEqual(quiet);
  });
}
