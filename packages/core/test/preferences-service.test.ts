import { afterEach, describe, expect, it } from 'vitest';
import { isHeraldError, type HeraldError } from '@herald/core';
import { createFakeClock } from '@herald/testing';
import { app, harness, referenceRequest, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.service.close();
});

async function refusal(promise: Promise<unknown>): Promise<HeraldError> {
  try {
    await promise;
  } catch (error) {
    if (isHeraldError(error)) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

describe('service.preferences', () => {
  it('stores what set was given, normalised and frozen, and get answers {} before any set', async () => {
    h = await harness();
    expect(await h.service.preferences.get('alice')).toEqual({});
    const given = { default: 'optIn' as const, apps: { [app]: 'optOut' as const }, platforms: { ios: 'optIn' as const } };
    const stored = await h.service.preferences.set('alice', given);
    expect(stored).toEqual(given);
    expect(Object.isFrozen(stored)).toBe(true);
    expect(await h.service.preferences.get('alice')).toEqual(given);
    expect(await h.service.preferences.get('bob'), 'another user is untouched').toEqual({});
  });

  it('refuses malformed preferences with INVALID_PREFERENCES naming the field, and stores nothing', async () => {
    h = await harness();
    const cases: [unknown, string][] = [
      [null, 'preferences must be an object'],
      [{ default: 'maybe' }, 'default must be one of optIn, optOut'],
      [{ platform: {} }, 'unknown field platform (did you mean platforms?)'],
      [{ platforms: { iOS: 'optOut' } }, 'platforms keys must be one of'],
      [{ apps: { [app]: true } }, `apps[${JSON.stringify(app)}] must be one of optIn, optOut`],
      [{ groups: [] }, 'groups must be an object'],
    ];
    for (const [value, message] of cases) {
      const error = await refusal(h.service.preferences.set('alice', value as never));
      expect(error.code, JSON.stringify(value)).toBe('INVALID_PREFERENCES');
      expect(error.message, JSON.stringify(value)).toContain(message);
    }
    expect(await h.service.preferences.get('alice')).toEqual({});
  });

  it('applies preferences in the send: an opted-out endpoint gets no delivery, and deliveries.explain says which rule', async () => {
    h = await harness();
    const [windows, ios, android] = await h.subscribe('alice');
    await h.service.preferences.set('alice', { platforms: { ios: 'optOut' }, subscriptions: { [android as string]: 'optOut' }, transports: { test: 'optIn' } });
    const result = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    // The transport opt-in beats the platform opt-out; the subscription opt-out beats the transport opt-in.
    expect(result.deliveries.map((d) => d.subscriptionId).sort()).toEqual([windows, ios].sort());
    const explained = await h.service.deliveries.explain('alice', result.notification.id);
    const bySubscription = new Map(explained.subscriptions.map((entry) => [entry.subscriptionId, entry]));
    expect(bySubscription.get(android as string)?.decision).toEqual({
      subscriptionId: android,
      outcome: 'skipped',
      rule: { kind: 'preference', level: 'subscription', key: android, choice: 'optOut' },
    });
    expect(bySubscription.get(android as string)?.deliveries).toEqual([]);
    expect(bySubscription.get(windows as string)?.decision, 'a plain delivery records no decision').toBeUndefined();
    expect(bySubscription.get(windows as string)?.deliveries).toHaveLength(1);
  });

  it('a send after set resolves decides with the new preferences, and an update replaces the recorded decisions', async () => {
    h = await harness();
    const [windows] = await h.subscribe('alice', ['windows']);
    await h.service.preferences.set('alice', { default: 'optOut' });
    const first = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    expect(first.deliveries).toEqual([]);
    expect((await h.service.deliveries.explain('alice', first.notification.id)).subscriptions.map((s) => s.decision?.rule)).toEqual([
      { kind: 'preference', level: 'default', choice: 'optOut' },
    ]);
    await h.service.preferences.set('alice', {});
    const second = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    expect(second.created, 'the same appNotificationId updates').toBe(false);
    expect(second.deliveries.map((d) => d.subscriptionId)).toEqual([windows]);
    const explained = await h.service.deliveries.explain('alice', second.notification.id);
    expect(explained.subscriptions.map((s) => s.decision), 'the update recorded nothing, so nothing of the first send is left').toEqual([undefined]);
  });

  it('deliveries.explain refuses an unknown notification with NOTIFICATION_NOT_FOUND', async () => {
    h = await harness();
    expect((await refusal(h.service.deliveries.explain('alice', 'nope'))).code).toBe('NOTIFICATION_NOT_FOUND');
  });
});

describe('critical sends', () => {
  it('are refused with CRITICAL_NOT_ALLOWED without an allowCritical policy, or when it says no', async () => {
    h = await harness();
    await h.subscribe('alice', ['windows']);
    const error = await refusal(h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' }, { critical: true }));
    expect(error.code).toBe('CRITICAL_NOT_ALLOWED');
    expect(error.status).toBe(403);
    await h.service.close();
    h = await harness({ policies: { allowCritical: (caller) => caller?.id === 'pager' } });
    await h.subscribe('alice', ['windows']);
    expect((await refusal(h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' }, { critical: true, caller: { id: 'news' } }))).code).toBe('CRITICAL_NOT_ALLOWED');
    expect((await h.service.feed.list('alice')).items, 'a refused send stores nothing').toEqual([]);
  });

  it('override an opt-out (and say so) but never an endpoint rule', async () => {
    h = await harness({ policies: { allowCritical: () => true } });
    const [windows, ios] = await h.subscribe('alice', ['windows', 'ios']);
    await h.service.subscriptions.deactivate(ios as string, 'lost the phone');
    await h.service.preferences.set('alice', { apps: { [app]: 'optOut' } });
    const result = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' }, { critical: true });
    expect(result.deliveries.map((d) => d.subscriptionId)).toEqual([windows]);
    const explained = await h.service.deliveries.explain('alice', result.notification.id);
    expect(explained.subscriptions.map(({ subscriptionId, decision }) => [subscriptionId, decision?.outcome, decision?.rule])).toEqual([
      [windows, 'now', { kind: 'critical', overrode: [{ kind: 'preference', level: 'app', key: app, choice: 'optOut' }] }],
      [ios, 'skipped', { kind: 'inactive' }],
    ]);
  });
});

describe('service.explain', () => {
  it('reports each subscription’s decision and writes nothing', async () => {
    h = await harness();
    const [windows, ios] = await h.subscribe('alice', ['windows', 'ios']);
    await h.subscribe('alice', ['android'], 'other.example.com');
    await h.service.preferences.set('alice', { platforms: { ios: 'optOut' } });
    const sendAt = h.clock.now() + 60_000;
    const explained = await h.service.explain(referenceRequest(h.clock.now(), { targetPolicy: { platformTypes: ['windows', 'ios'] } }), { userId: 'alice' }, { sendAt });
    expect(explained.accepted).toBe(true);
    expect(explained.checks.every((check) => check.outcome === 'passed')).toBe(true);
    expect(explained.decisions.map((d) => [d.subscriptionId === windows ? 'windows' : d.subscriptionId === ios ? 'ios' : 'other', d.outcome, d.rule.kind])).toEqual([
      ['windows', 'scheduled', 'preference'],
      ['ios', 'skipped', 'preference'],
      ['other', 'skipped', 'app'],
    ]);
    expect(explained.decisions[0]?.at).toBe(sendAt);
    expect((await h.service.feed.list('alice')).items, 'a dry run stores nothing').toEqual([]);
  });

  it('reports the check that refuses, as send would throw it, and takes no throttling token', async () => {
    h = await harness({ policies: { blockedCallers: ['spam'], throttle: { perUser: { ratePerSecond: 1, burst: 1 } } } });
    await h.subscribe('alice', ['windows']);
    const blocked = await h.service.explain(referenceRequest(h.clock.now()), { userId: 'alice' }, { caller: { id: 'spam' } });
    expect(blocked.accepted).toBe(false);
    expect(blocked.checks.map((c) => [c.check, c.outcome, c.code])).toEqual([
      ['arguments', 'passed', undefined],
      ['caller', 'refused', 'CALLER_BLOCKED'],
    ]);
    expect(blocked.decisions).toEqual([]);
    for (let i = 0; i < 3; i++) expect((await h.service.explain(referenceRequest(h.clock.now()), { userId: 'alice' })).accepted).toBe(true);
    await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    const throttled = await h.service.explain(referenceRequest(h.clock.now()), { userId: 'alice' });
    expect(throttled.checks.at(-1)).toMatchObject({ check: 'authorization', outcome: 'refused', code: 'THROTTLED', retryAfterSeconds: 1 });
    const critical = await h.service.explain(referenceRequest(h.clock.now()), { userId: 'bob' }, { critical: true });
    expect(critical.checks.at(-1)).toMatchObject({ check: 'critical', outcome: 'refused', code: 'CRITICAL_NOT_ALLOWED' });
    const contract = await h.service.explain({ targetHostName: app }, { userId: 'bob' });
    expect(contract.checks.at(-1)).toMatchObject({ check: 'contract', outcome: 'refused' });
    expect(blocked.checks.at(-1), 'a refusal that is no validation lists no issues').not.toHaveProperty('issues');
  });

  it('lists every problem of a body off the contract, as the send\'s error does, not only the first', async () => {
    h = await harness();
    const body: unknown = { targetHostName: app, appNotificationId: '', priority: 'urgent' };
    const thrown = await refusal(h.service.send(body as never, { userId: 'bob' }));
    expect(thrown.issues.length, 'the body has more than one problem').toBeGreaterThan(1);
    const explained = await h.service.explain(body, { userId: 'bob' });
    expect(explained.checks.at(-1)).toMatchObject({ check: 'contract', outcome: 'refused', code: thrown.code, message: thrown.message });
    expect(explained.checks.at(-1)?.issues).toEqual(thrown.issues);
  });
});

describe('preferences.resolve', () => {
  it('lists every subscription × group with its decision and rule', async () => {
    h = await harness();
    const [windows, ios] = await h.subscribe('alice', ['windows', 'ios']);
    await h.service.send(referenceRequest(h.clock.now(), { groupName: 'news', appNotificationId: 'n1' }), { userId: 'alice' });
    await h.service.preferences.set('alice', { groups: { promotions: 'optOut' }, platforms: { ios: 'optOut' } });
    const resolved = await h.service.preferences.resolve('alice');
    const cells = resolved.matrix.map((cell) => [cell.subscriptionId === windows ? 'windows' : cell.subscriptionId === ios ? 'ios' : '?', cell.groupName ?? '-', cell.decision.outcome, cell.decision.rule]);
    expect(cells).toEqual([
      ['windows', '-', 'now', { kind: 'preference', level: 'default', choice: 'optIn' }],
      ['windows', 'promotions', 'skipped', { kind: 'preference', level: 'group', key: 'promotions', choice: 'optOut' }],
      ['windows', 'news', 'now', { kind: 'preference', level: 'default', choice: 'optIn' }],
      ['ios', '-', 'skipped', { kind: 'preference', level: 'platform', key: 'ios', choice: 'optOut' }],
      ['ios', 'promotions', 'skipped', { kind: 'preference', level: 'platform', key: 'ios', choice: 'optOut' }],
      ['ios', 'news', 'skipped', { kind: 'preference', level: 'platform', key: 'ios', choice: 'optOut' }],
    ]);
    expect(resolved.precedence.map((row) => row.level)).toEqual(['subscription', 'transport', 'platform', 'group', 'app', 'default']);
  });
});

describe('quiet hours in a send', () => {
  const everyDay = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
  const quietHours = { timeZone: 'UTC', windows: [{ days: [...everyDay], start: '22:00', end: '07:00' }] };

  it('defers a delivery due inside them to their end, records it, and a critical send overrides them', async () => {
    // 23:30 UTC, in the window that ends at 07:00 the next morning.
    h = await harness({ policies: { allowCritical: () => true }, clock: createFakeClock({ start: '2026-01-01T23:30:00Z' }) });
    const now = h.service.clock.now();
    const [windows] = await h.subscribe('alice', ['windows']);
    await h.service.preferences.set('alice', { quietHours });
    const end = Date.parse('2026-01-02T07:00:00Z');
    const deferred = await h.service.send(referenceRequest(now), { userId: 'alice' });
    expect(deferred.deliveries.map((d) => d.nextAttemptAt)).toEqual([end]);
    expect((await h.service.feed.list('alice')).items.map((n) => n.id), 'the feed has it at once').toEqual([deferred.notification.id]);
    const explained = await h.service.deliveries.explain('alice', deferred.notification.id);
    expect(explained.subscriptions.map((s) => s.decision)).toEqual([{ subscriptionId: windows, outcome: 'deferred', at: end, rule: { kind: 'quietHours', until: end } }]);
    const critical = await h.service.send(referenceRequest(now, { appNotificationId: 'urgent' }), { userId: 'alice' }, { critical: true });
    expect(critical.deliveries.map((d) => d.nextAttemptAt)).toEqual([now]);
    expect((await h.service.deliveries.explain('alice', critical.notification.id)).subscriptions.map((s) => s.decision?.rule)).toEqual([
      { kind: 'critical', overrode: [{ kind: 'quietHours', until: end }] },
    ]);
  });

  it('refuses a bad schedule inside preferences with INVALID_PREFERENCES naming the schedule field', async () => {
    h = await harness();
    const error = await refusal(h.service.preferences.set('alice', { quietHours: { timeZone: 'Mars/Olympus', windows: [] } }));
    expect(error.code).toBe('INVALID_PREFERENCES');
    expect(error.issues.map((issue) => issue.field)).toEqual(['quietHours.timeZone']);
  });
});
