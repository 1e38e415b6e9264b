/**
 * A failed `toHaveDeliveredTo` or `toHaveSentTo` says which rule stopped each delivery, as
 * the send recorded it (`service.deliveries.explain`): one case per rule.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NotificationPreferences, SendOptions } from '@herald/core';
import { createTestService, heraldMatchers, type TestService } from '@herald/testing';

expect.extend(heraldMatchers);

let kit: TestService;
afterEach(async () => {
  await kit?.close();
});

const comment = { targetHostName: 'app.example', appNotificationId: 'c1', payload: { visualContent: { title: 'New comment' } }, groupName: 'post-7' };
const named = '"New comment" (to "alice", appNotificationId "c1", group "post-7")';

async function failureOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the assertion passed');
}

interface Case {
  readonly name: string;
  readonly preferences?: NotificationPreferences;
  readonly notification?: Record<string, unknown>;
  readonly options?: SendOptions;
  /** Set-up after subscribing alice's ios endpoint, before the send. */
  readonly before?: (kit: TestService, subscriptionId: string) => Promise<unknown>;
  /** The line the failure gives for alice's ios endpoint. */
  readonly says: string;
}

const cases: Case[] = [
  { name: 'a platform opt-out', preferences: { platforms: { ios: 'optOut' } }, says: `not delivered: the user's preference platforms["ios"] is optOut` },
  { name: 'an app opt-out', preferences: { apps: { 'app.example': 'optOut' } }, says: `not delivered: the user's preference apps["app.example"] is optOut` },
  { name: 'a group opt-out', preferences: { groups: { 'post-7': 'optOut' } }, says: `not delivered: the user's preference groups["post-7"] is optOut` },
  { name: 'a transport opt-out', preferences: { transports: { test: 'optOut' } }, says: `not delivered: the user's preference transports["test"] is optOut` },
  { name: 'the default', preferences: { default: 'optOut' }, says: "not delivered: the user's default preference is optOut" },
  { name: 'a subscription opt-out beating an app opt-in', preferences: { apps: { 'app.example': 'optIn' } }, before: (k, id) => k.service.preferences.set('alice', { apps: { 'app.example': 'optIn' }, subscriptions: { [id]: 'optOut' } }), says: 'not delivered: the user\'s preference subscriptions["' },
  {
    name: 'quiet hours (the kit starts at 2026-01-01T00:00Z, a Thursday)',
    preferences: { quietHours: { timeZone: 'Europe/Berlin', windows: [{ days: ['wednesday'], start: '22:00', end: '07:00' }] } },
    says: "deferred to 2026-01-01T06:00:00.000Z by the user's quiet hours; notification pending after 0 attempts, next attempt at 2026-01-01T06:00:00.000Z",
  },
  { name: "the notification's platform filter", notification: { targetPolicy: { platformTypes: ['android'] } }, says: "not delivered: the notification's targetPolicy.platformTypes leaves out its platform" },
  { name: 'an inactive subscription', before: (k, id) => k.service.subscriptions.deactivate(id, 'lost phone'), says: 'not delivered: the subscription is inactive' },
  // A scheduled delivery tells its own story: no decision is recorded beside it.
  { name: 'a scheduled send', options: { sendAt: '2026-01-02T00:00:00.000Z' }, says: 'notification pending after 0 attempts, next attempt at 2026-01-02T00:00:00.000Z' },
];

describe('a failed toHaveDeliveredTo names the rule that stopped each delivery', () => {
  it.each(cases)('$name', async ({ preferences, notification, options, before, says }) => {
    kit = await createTestService();
    const [ios] = await kit.subscribe('alice', 'ios');
    if (preferences !== undefined) await kit.service.preferences.set('alice', preferences);
    await before?.(kit, ios?.id as string);
    await kit.service.send({ ...comment, ...notification }, { userId: 'alice' }, options);
    await kit.advance('1m');
    const message = await failureOf(() => expect(kit).toHaveDeliveredTo('ios'));
    expect(message).toContain(`where what was sent went:\n  - ${named}:\n      ios "ios:alice": ${says}`);
  });

  it('says when the user had no subscription the notification could reach, and when nothing was sent', async () => {
    kit = await createTestService();
    expect(await failureOf(() => expect(kit).toHaveDeliveredTo('ios'))).toBe('expected a delivery to an ios endpoint, but the attempts were: nothing was attempted\nnothing was sent');
    await kit.service.send(comment, { userId: 'alice' });
    expect(await failureOf(() => expect(kit).toHaveDeliveredTo('ios'))).toContain(`  - ${named}:\n      the user had no subscription it could reach`);
    expect(await failureOf(() => expect(kit).toHaveDeliveredTo('ios', { groupName: 'other' }))).toContain('\nnothing matching {"groupName":"other"} was sent');
  });

  it('explains a critical send that overrode an opt-out, in a failed toHaveSentTo', async () => {
    kit = await createTestService({ service: { policies: { allowCritical: () => true } } });
    await kit.subscribe('alice', 'ios');
    await kit.service.preferences.set('alice', { platforms: { ios: 'optOut' } });
    await kit.service.send(comment, { userId: 'alice' }, { critical: true });
    const message = await failureOf(() => expect(kit).toHaveSentTo('alice', { groupName: 'other' }));
    expect(message).toContain(`where "alice"'s notifications went:\n  - ${named}:\n      ios "ios:alice": due at once (a critical send, overriding the user's preference platforms["ios"] is optOut); notification pending after 0 attempts, next attempt at 2026-01-01T00:00:00.000Z`);
  });

  it('passes, and a negated failure lists the attempts only', async () => {
    kit = await createTestService();
    await kit.subscribe('alice', 'ios');
    await kit.service.send(comment, { userId: 'alice' });
    await kit.runAll();
    await expect(kit).toHaveDeliveredTo('ios');
    await expect(kit).toHaveSentTo('alice');
    expect(await failureOf(() => expect(kit).not.toHaveDeliveredTo('ios'))).toBe(`expected nothing delivered to an ios endpoint, but 1 delivery was made:\n  - delivered to ios "ios:alice": ${named}`);
  });
});
