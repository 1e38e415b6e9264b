/**
 * Group `inFlight`: a change made while an attempt is under way is honoured when the
 * attempt settles (docs/stores.md, "Changes during an attempt"). For every change that
 * ends a delivery's reason to exist, and every way its attempt can end, the group claims
 * the delivery, makes the change while the lease is held, then completes the attempt.
 *
 * Changes to the notification (cancel, superseding update, delete, delete by group,
 * purge after expiry) and the subscription's delete end the delivery at once, leased or
 * not: the change counts it, the holder's completion returns false and records nothing,
 * and the delivery is never claimed again. The other changes to the subscription
 * (deactivate, expire) leave the delivery to its attempt: the completion records how the
 * attempt ended, and a delivery left open is claimed with its subscription inactive,
 * which the dispatcher ends without another attempt.
 */
import { expect, it } from 'vitest';
import { cancelReasons } from '@herald/core/store';
import type { DeliveryRecord, NotificationStore, StoredNotification, StoredSubscription } from '@herald/core';
import type { ClaimedDelivery, DeliveryOutcome } from '@herald/core/store';
import { sampleDeliveries, sampleSubscription } from '../fixtures.js';
import type { StoreHarness } from './harness.js';
import { alice, claim, claimExactly, leaseMs, leaseOf, send, t0 } from './steps.js';

/** The notification of every scenario expires one hour after `t0`; its group is `g`. */
const expiresAt = t0 + 3_600_000;
/** When the change is made (the lease is held throughout: see {@link inFlight}). */
const changedAt = t0 + 1_000;
/** When the attempt settles: still within the lease. */
const settledAt = t0 + 2_000;

/** What a scenario set up: the store, the notification, its delivery's claim and the subscription. */
interface InFlight {
  readonly store: NotificationStore;
  readonly notification: StoredNotification;
  readonly claimed: ClaimedDelivery;
  readonly subscription: StoredSubscription;
}

/** A change and what it must leave. */
interface Change {
  readonly name: string;
  /** Makes the change while the lease is held; returns the count it answered, if it answers one. */
  readonly apply: (scenario: InFlight) => Promise<number | undefined>;
  /** `ended`: the change ended the delivery (with this status and error, or `gone` with its notification). `attempt`: the attempt settles it. */
  readonly ends: { readonly status: 'cancelled' | 'gone'; readonly code?: string; readonly message?: string } | 'attempt';
}

const changes: readonly Change[] = [
  {
    name: 'cancelDeliveries',
    apply: ({ store, notification }) => store.cancelDeliveries(alice, notification.id, 'cancelled by the user', changedAt),
    ends: { status: 'cancelled', code: 'CANCELLED' },
  },
  {
    name: 'an update of the notification (same appNotificationId)',
    apply: async ({ store }) => {
      await send(store, { appNotificationId: 'in-flight', content: { expirationDateTime: new Date(expiresAt).toISOString(), groupName: 'g' }, now: changedAt });
      return undefined;
    },
    ends: { status: 'cancelled', code: 'SUPERSEDED' },
  },
  {
    name: 'deleteNotification',
    apply: async ({ store, notification }) => ((await store.deleteNotification(alice, notification.id, changedAt)) ? 1 : 0),
    ends: { status: 'gone' },
  },
  {
    name: 'deleteGroup',
    apply: ({ store }) => store.deleteGroup(alice, 'g', undefined, changedAt),
    ends: { status: 'gone' },
  },
  {
    name: 'purgeExpired after the notification expired',
    apply: async ({ store }) => (await store.purgeExpired({ now: expiresAt, tombstonesBefore: 0, limit: 100 })).notifications,
    ends: { status: 'gone' },
  },
  {
    name: 'deleteSubscription',
    apply: async ({ store, subscription }) => ((await store.deleteSubscription(subscription.id, changedAt)) ? 1 : 0),
    ends: { status: 'cancelled', code: 'CANCELLED', message: cancelReasons.subscriptionDeleted },
  },
  {
    name: 'updateSubscription to inactive',
    apply: async ({ store, subscription }) => ((await store.updateSubscription(subscription.id, { status: 'inactive', statusReason: 'endpoint gone: 410' }, changedAt)) === undefined ? 0 : 1),
    ends: 'attempt',
  },
  {
    name: 'purgeExpired after the subscription expired',
    apply: async ({ store, subscription }) => ((await store.purgeExpired({ now: changedAt, tombstonesBefore: 0, limit: 100 })).subscriptions.filter((s) => s.id === subscription.id).length),
    ends: 'attempt',
  },
];

const outcomes: readonly DeliveryOutcome[] = [
  { status: 'failed', nextAttemptAt: settledAt + 1_000, error: { code: 'TRANSPORT_RETRYABLE', message: 'busy' } },
  { status: 'delivered' },
  { status: 'dead', error: { code: 'TRANSPORT_PERMANENT', message: 'refused' } },
];

/** Saves a notification with one delivery to a real subscription, due at `t0`, and claims it. */
async function inFlight(store: NotificationStore): Promise<InFlight> {
  // The subscription expires between the claim and the settling, for the expiry variant.
  const subscription = await store.createSubscription(sampleSubscription({ userId: alice, expiresAt: changedAt }, t0), t0);
  const saved = await send(store, {
    appNotificationId: 'in-flight',
    content: { expirationDateTime: new Date(expiresAt).toISOString(), groupName: 'g' },
    deliveries: sampleDeliveries([subscription], { nextAttemptAt: t0 }),
  });
  // A lease that outlasts every change of the scenarios, the purge after expiry included.
  const [claimed] = await claimExactly(store, [(saved.deliveries[0] as DeliveryRecord).id], t0, { leaseMs: 2 * (expiresAt - t0) });
  return { store, notification: saved.notification, claimed: claimed as ClaimedDelivery, subscription };
}

/** Registers the tests of the group. */
export function inFlightTests(h: StoreHarness): void {
  for (const change of changes) {
    for (const outcome of outcomes) {
      it(`honours ${change.name} made during an attempt that ends ${outcome.status}`, async () => {
        const scenario = await inFlight(h.store);
        const { store, claimed } = scenario;
        const deliveryId = claimed.delivery.id;
        const count = await change.apply(scenario);
        if (count !== undefined) expect(count, `${change.name} counts what it ended, the delivery under a lease included`).toBe(1);

        const completed = await store.completeDelivery(leaseOf(claimed), outcome, settledAt);
        const after = await store.getDelivery(alice, deliveryId);
        // Far past every lease, the expiry of the notification excepted, so only the store's rule decides.
        const later = await claim(store, expiresAt - 1, 100, { leaseMs });
        const again = later.find((c) => c.delivery.id === deliveryId);

        if (change.ends === 'attempt') {
          expect(completed, `after ${change.name}, the attempt under way still records how it ended`).toBe(true);
          expect(after?.status, 'the recorded status is the outcome').toBe(outcome.status);
          if (outcome.status !== 'failed') {
            expect(again, 'a final delivery is never claimed again').toBeUndefined();
            return;
          }
          expect(again, 'a failed delivery is due again').toBeDefined();
          expect(again?.subscription?.status, `after ${change.name}, a claim comes with the subscription inactive, so the dispatcher ends it without an attempt`).toBe('inactive');
          return;
        }

        expect(completed, `after ${change.name}, the holder's completion finds its lease gone and records nothing`).toBe(false);
        expect(again, `after ${change.name}, the delivery is never claimed again`).toBeUndefined();
        if (change.ends.status === 'gone') {
          expect(after, `${change.name} removes the delivery with its notification`).toBeUndefined();
          return;
        }
        expect(after?.status, `${change.name} ends the delivery, leased or not`).toBe('cancelled');
        expect(after?.lastError?.code).toBe(change.ends.code);
        if (change.ends.message !== undefined) expect(after?.lastError?.message).toBe(change.ends.message);
        expect(after?.lastError?.at, 'the ending is the change’s, made at its time').toBe(changedAt);
        expect(after?.attempts, 'no attempt is counted for the attempt the change overtook').toBe(0);
        expect(after !== undefined && 'lease' in after, 'the lease is gone').toBe(false);
      });
    }
  }

  it('ends every open delivery of a deleted subscription, leased or not, and leaves finished ones and other endpoints alone', async () => {
    const { store } = h;
    const [gone, kept] = await Promise.all([0, 1].map((n) => store.createSubscription(sampleSubscription({ userId: alice, address: `https://endpoint.example/${n}` }, t0), t0)));
    const targets = [gone, kept] as StoredSubscription[];
    const first = await send(store, { appNotificationId: 'first', deliveries: sampleDeliveries([gone as StoredSubscription, gone as StoredSubscription, kept as StoredSubscription], { nextAttemptAt: t0 }) });
    const later = await send(store, { appNotificationId: 'later', deliveries: sampleDeliveries(targets, { nextAttemptAt: t0 + 60_000 }) });
    const [leased, delivered, claimedKept] = await claimExactly(store, first.deliveries.map((delivery) => delivery.id), t0);
    expect(await store.completeDelivery(leaseOf(delivered as ClaimedDelivery), { status: 'delivered' }, t0)).toBe(true);

    expect(await store.deleteSubscription((gone as StoredSubscription).id, changedAt), 'deleteSubscription returns true when it deleted').toBe(true);
    const after = async (record: DeliveryRecord | undefined): Promise<DeliveryRecord | undefined> => store.getDelivery(alice, (record as DeliveryRecord).id);
    for (const ended of [await after(first.deliveries[0]), await after(later.deliveries[0])]) {
      expect(ended, 'an open delivery of the deleted subscription, leased or scheduled, ends at once').toMatchObject({
        status: 'cancelled',
        attempts: 0,
        nextAttemptAt: null,
        updatedAt: changedAt,
        lastError: { code: 'CANCELLED', message: cancelReasons.subscriptionDeleted, at: changedAt },
      });
      expect(ended !== undefined && 'lease' in ended, 'the lease is gone').toBe(false);
    }
    expect((await after(first.deliveries[1]))?.status, 'a finished delivery stays as it was').toBe('delivered');
    expect(await after(first.deliveries[2]), "another endpoint's delivery stays open, its lease held").toMatchObject({ status: 'pending', lease: { token: leaseOf(claimedKept as ClaimedDelivery).token } });
    expect((await after(later.deliveries[1]))?.status, "another endpoint's scheduled delivery stays open").toBe('pending');
    expect(await store.completeDelivery(leaseOf(leased as ClaimedDelivery), { status: 'delivered' }, settledAt), "the holder's completion finds its lease gone").toBe(false);
    expect(await store.deleteSubscription((gone as StoredSubscription).id, settledAt), 'deleting it again returns false').toBe(false);
  });
}
