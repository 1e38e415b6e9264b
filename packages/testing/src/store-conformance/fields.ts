/**
 * Group `fields`: every optional field of the contract, taken from its field table (so a
 * field added to the contract is tested here without a line of this file changing), comes
 * back from every read exactly as written — alone and all together, and absent when not
 * written: from the save, `getNotification`, the feed, the change feed, a state change,
 * an idempotency replay, and, for a durable store, after compaction and a reopen and after
 * a reopen that replays its log (group `durability`; docs/stores.md, "Content fields").
 */
import { expect, it } from 'vitest';
import { contentFields, formatDateTime, optionalContentFields, type ContentFieldSpec, type FieldKind, type FieldValues, type IdempotencyRecord, type NewNotification, type NotificationContent, type NotificationStore, type OptionalContentField, type StoredNotification } from '@herald/core/store';
import { sampleNotification } from '../fixtures.js';
import type { StoreHarness } from './harness.js';
import { alice, t0 } from './steps.js';

/** A value for `name` unlike the sample notification's own, by the kind the table gives it. */
function valueOf(name: OptionalContentField): FieldValues[FieldKind] {
  // Widened to every kind: a field of a kind no optional field has yet is one edit away.
  const spec = contentFields[name] as ContentFieldSpec;
  switch (spec.kind) {
    case 'text':
      return `${name} \u00e9\u{1F600} \u2713`;
    case 'date-time':
      return formatDateTime(t0 + 3_600_000);
    case 'enum':
      // The last value: the sample notification's priority is the second of three.
      return spec.values[spec.values.length - 1] as string;
    case 'number':
      return 3_599;
    case 'payload':
      return { visualContent: { title: `${name} title` }, rawContent: `{"${name}":1}` };
    case 'target-policy':
      return { platformTypes: ['webpush', 'ios'] };
    case 'fallback-policy':
      return { endpointFallback: { platformTypes: ['ios'], fallbackDelayInSeconds: 90, visualContent: { body: `${name} fallback` } } };
    default: {
      const unknown: never = spec;
      throw new TypeError(`no sample value for a field of kind ${JSON.stringify((unknown as ContentFieldSpec).kind)}`);
    }
  }
}

/** One notification of the scenario: the optional fields it was written with. */
interface Written {
  readonly label: string;
  readonly notification: NewNotification;
  readonly idempotency: IdempotencyRecord;
  readonly fields: Partial<NotificationContent>;
}

/** Every optional field alone, then all of them together, each a notification of its own. */
export function scenario(userId: string): Written[] {
  const cases: { label: string; names: readonly OptionalContentField[] }[] = [
    ...optionalContentFields.map((name) => ({ label: name, names: [name] })),
    { label: 'every optional field', names: optionalContentFields },
  ];
  const none = Object.fromEntries(optionalContentFields.map((name) => [name, undefined])) as Partial<NewNotification>;
  return cases.map(({ label, names }) => {
    const fields = Object.fromEntries(names.map((name) => [name, valueOf(name)])) as Partial<NotificationContent>;
    return {
      label,
      notification: sampleNotification({ ...none, ...fields, userId, appNotificationId: `fields-${label}` }, t0),
      idempotency: { key: `fields-${label}`, fingerprint: label, expiresAt: t0 + 86_400_000 },
      fields,
    };
  });
}

/** Expects `record` to hold exactly the written optional fields: equal values, the others absent. */
function expectFields(record: StoredNotification | undefined, written: Written, how: string): void {
  expect(record, `the notification with ${written.label} ${how}`).toBeDefined();
  const found = record as StoredNotification;
  for (const name of optionalContentFields) {
    const value = written.fields[name];
    if (value === undefined) expect(name in found, `optional field ${name} must stay absent (written with ${written.label}) ${how}`).toBe(false);
    else expect(found[name], `field ${name} (written with ${written.label}) ${how}`).toEqual(value);
  }
}

/** Saves each notification of the scenario with its idempotency key; checks what the saves answered. */
export async function save(store: NotificationStore, scenario: readonly Written[]): Promise<void> {
  for (const written of scenario) {
    const result = await store.saveNotification({ notification: written.notification, deliveries: [], idempotency: written.idempotency, now: t0 });
    expectFields(result.notification, written, 'in what saveNotification answered');
  }
}

/** Reads each notification back every way a store hands one out, `when` naming the moment. */
export async function expectEveryRead(store: NotificationStore, scenario: readonly Written[], userId: string, when: string): Promise<void> {
  const feed = await store.listFeed(userId, { limit: scenario.length + 1 }, t0);
  const changes = await store.listChanges(userId, 0, 1_000, t0);
  for (const written of scenario) {
    const id = written.notification.id;
    expectFields(await store.getNotification(userId, id, t0), written, `from getNotification ${when}`);
    expectFields(feed.items.find((item) => item.id === id), written, `in the feed ${when}`);
    const latest = changes.changes.filter((change) => change.notificationId === id).at(-1);
    expectFields(latest?.notification, written, `in the change feed ${when}`);
    // A new id and time, the same key and fingerprint: the first call's notification comes back.
    const again = { ...written.notification, id: `${id}-again` };
    const replay = await store.saveNotification({ notification: again, deliveries: [], idempotency: written.idempotency, now: t0 + 1 });
    expect(replay.replay, `a second save with ${written.label}'s key must be a replay ${when}`).toBeDefined();
    expectFields(replay.notification, written, `in an idempotency replay ${when}`);
  }
}

/** Registers the tests of the group (the same after a reopen: group `durability`). */
export function fieldTests(h: StoreHarness): void {
  it("keeps every optional field of the contract's field table, alone and all together, on every read", async () => {
    const written = scenario(alice);
    await save(h.store, written);
    await expectEveryRead(h.store, written, alice, 'as written');
  });

  it('keeps every optional field through a state change', async () => {
    const written = scenario(alice);
    await save(h.store, written);
    for (const one of written) {
      const result = await h.store.updateNotificationState(alice, one.notification.id, { readState: 'read', userActionState: 'activated' }, t0 + 1);
      expectFields(result, one, 'in what updateNotificationState answered');
      expectFields(await h.store.getNotification(alice, one.notification.id, t0 + 1), one, 'after a state change');
    }
  });
}
