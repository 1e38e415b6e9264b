/**
 * The decision rules as tables: each level of the precedence table beats each level
 * below it, in both directions; the endpoint rules beat every preference and every
 * critical send; a critical send overrides an opt-out at any level. And a property: the
 * decision equals a brute-force reading of the table (no quiet hours here: their own
 * tests, at the clock changes, are quiet-hours.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { preferencePrecedence, type NotificationPreferences, type PlatformType, type PreferenceChoice, type PreferenceLevel, type StoredSubscription } from '@herald/core';
import { decideDelivery, type DecisionTiming } from '../src/preferences/decide.js';

const now = Date.parse('2026-01-01T00:00:00.000Z');
const timing: DecisionTiming = { now, dueAt: now, scheduled: false, critical: false };
const app = 'mail.example';

function subscription(overrides: Partial<StoredSubscription> = {}): StoredSubscription {
  return {
    id: 'sub-1',
    userId: 'alice',
    targetHostName: app,
    platformType: 'ios',
    transport: 'webhook',
    address: 'https://127.0.0.1/hook',
    createdDateTime: '2026-01-01T00:00:00.000Z',
    lastModifiedDateTime: '2026-01-01T00:00:00.000Z',
    expirationDateTime: '2026-02-01T00:00:00.000Z',
    status: 'active',
    ...overrides,
  };
}

const content = { targetHostName: app, groupName: 'news' };

/** A preference at `level` matching {@link subscription} and {@link content}. */
function ruleAt(level: PreferenceLevel, choice: PreferenceChoice): NotificationPreferences {
  switch (level) {
    case 'subscription':
      return { subscriptions: { 'sub-1': choice } };
    case 'transport':
      return { transports: { webhook: choice } };
    case 'platform':
      return { platforms: { ios: choice } };
    case 'group':
      return { groups: { news: choice } };
    case 'app':
      return { apps: { [app]: choice } };
    case 'default':
      return { default: choice };
  }
}

const levels = preferencePrecedence.map((row) => row.level);
const pairs = levels.flatMap((higher, i) => levels.slice(i + 1).map((lower) => [higher, lower] as const));
const directions: readonly (readonly [PreferenceChoice, PreferenceChoice])[] = [
  ['optIn', 'optOut'],
  ['optOut', 'optIn'],
];

describe('the precedence table', () => {
  it('lists the levels from most to least specific, as the docs quote it', () => {
    expect(levels).toEqual(['subscription', 'transport', 'platform', 'group', 'app', 'default']);
  });

  it.each(pairs.flatMap(([higher, lower]) => directions.map(([high, low]) => ({ higher, lower, high, low }))))(
    '$higher ($high) beats $lower ($low)',
    ({ higher, lower, high, low }) => {
      const preferences = { ...ruleAt(lower, low), ...ruleAt(higher, high) };
      const decision = decideDelivery(subscription(), content, preferences, timing);
      expect(decision.rule).toMatchObject({ kind: 'preference', level: higher, choice: high });
      expect(decision.outcome).toBe(high === 'optIn' ? 'now' : 'skipped');
    },
  );

  const otherKeys: Record<Exclude<PreferenceLevel, 'default'>, NotificationPreferences> = {
    subscription: { subscriptions: { 'sub-2': 'optOut' } },
    transport: { transports: { console: 'optOut' } },
    platform: { platforms: { android: 'optOut' } },
    group: { groups: { promotions: 'optOut' } },
    app: { apps: { 'other.example': 'optOut' } },
  };
  it.each(Object.entries(otherKeys))('a %s rule for another key does not match', (_level, preferences) => {
    expect(decideDelivery(subscription(), content, preferences, timing).rule).toEqual({ kind: 'preference', level: 'default', choice: 'optIn' });
  });

  it('a notification without a group matches no group rule', () => {
    expect(decideDelivery(subscription(), { targetHostName: app }, { groups: { news: 'optOut' } }, timing).outcome).toBe('now');
  });
});

describe('the endpoint rules', () => {
  const optedIn: NotificationPreferences = { subscriptions: { 'sub-1': 'optIn' }, default: 'optIn' };
  it.each([
    { rule: 'inactive', endpoint: subscription({ status: 'inactive', statusReason: 'gone' }), notification: content },
    { rule: 'expired', endpoint: subscription({ expirationDateTime: '2025-12-31T23:59:59.000Z' }), notification: content },
    { rule: 'app', endpoint: subscription({ targetHostName: 'other.example' }), notification: content },
    { rule: 'platform', endpoint: subscription(), notification: { ...content, targetPolicy: { platformTypes: ['windows' as PlatformType] } } },
  ])('$rule skips whatever the preferences, and a critical send too', ({ rule, endpoint, notification }) => {
    for (const critical of [false, true]) {
      expect(decideDelivery(endpoint, notification, optedIn, { ...timing, critical })).toEqual({ subscriptionId: 'sub-1', outcome: 'skipped', rule: { kind: rule } });
    }
  });
});

describe('critical sends', () => {
  it.each(levels)('override an opt-out at level %s, and say which', (level) => {
    const decision = decideDelivery(subscription(), content, ruleAt(level, 'optOut'), { ...timing, critical: true });
    expect(decision.outcome).toBe('now');
    expect(decision.rule).toMatchObject({ kind: 'critical', overrode: [{ kind: 'preference', level, choice: 'optOut' }] });
  });

  it('change nothing where nothing opted out: the rule stays the preference', () => {
    expect(decideDelivery(subscription(), content, undefined, { ...timing, critical: true }).rule).toEqual({ kind: 'preference', level: 'default', choice: 'optIn' });
  });

  it('a scheduled send is due at sendAt, with outcome scheduled', () => {
    const sendAt = now + 60_000;
    expect(decideDelivery(subscription(), content, undefined, { ...timing, dueAt: sendAt, scheduled: true })).toMatchObject({ outcome: 'scheduled', at: sendAt });
  });
});

describe('the decision, as a brute-force reading of the table', () => {
  const choice = fc.constantFrom<PreferenceChoice>('optIn', 'optOut');
  const rules = <K extends string>(keys: readonly K[]) => fc.dictionary(fc.constantFrom(...keys), choice, { maxKeys: keys.length });
  const preferences = fc.record(
    {
      default: choice,
      subscriptions: rules(['sub-1', 'sub-2']),
      transports: rules(['webhook', 'console']),
      platforms: rules(['ios', 'android', 'windows'] as const),
      groups: rules(['news', 'promotions']),
      apps: rules([app, 'other.example']),
    },
    { requiredKeys: [] },
  );
  const endpoint = fc.record({
    id: fc.constantFrom('sub-1', 'sub-2'),
    transport: fc.constantFrom('webhook', 'console'),
    platformType: fc.constantFrom<PlatformType>('ios', 'android', 'windows'),
    targetHostName: fc.constantFrom(app, 'other.example'),
    status: fc.constantFrom<'active' | 'inactive'>('active', 'active', 'inactive'),
    expired: fc.boolean(),
  });
  const notification = fc.record({
    groupName: fc.option(fc.constantFrom('news', 'promotions'), { nil: undefined }),
    platforms: fc.option(fc.subarray<PlatformType>(['ios', 'android', 'windows'], { minLength: 1 }), { nil: undefined }),
  });

  it('equals the first matching row of the table, after the endpoint rules, with critical overriding opt-outs', () => {
    fc.assert(
      fc.property(preferences, endpoint, notification, fc.boolean(), fc.option(fc.integer({ min: 1, max: 86_400_000 }), { nil: undefined }), (prefs, e, n, critical, delay) => {
        const sub = subscription({ id: e.id, transport: e.transport, platformType: e.platformType, targetHostName: e.targetHostName, status: e.status, expirationDateTime: e.expired ? '2025-12-01T00:00:00.000Z' : '2026-02-01T00:00:00.000Z' });
        const given = { targetHostName: app, ...(n.groupName === undefined ? {} : { groupName: n.groupName }), ...(n.platforms === undefined ? {} : { targetPolicy: { platformTypes: n.platforms } }) };
        const dueAt = now + (delay ?? 0);
        const decision = decideDelivery(sub, given, prefs, { now, dueAt, scheduled: delay !== undefined, critical });

        // The brute force: every rule that matches, with its row number; the lowest row wins.
        const keyed: Record<string, string | undefined> = { subscriptions: sub.id, transports: sub.transport, platforms: sub.platformType, groups: given.groupName, apps: given.targetHostName };
        type Matching = { readonly index: number; readonly level: PreferenceLevel; readonly key: string | undefined; readonly choice: PreferenceChoice };
        const matching = preferencePrecedence.flatMap((row, index): Matching[] => {
          if (row.field === 'default') return [{ index, level: row.level, key: undefined, choice: prefs.default ?? 'optIn' }];
          const key = keyed[row.field];
          const table = (prefs as Record<string, Record<string, PreferenceChoice> | undefined>)[row.field];
          const found = key === undefined ? undefined : table?.[key];
          return found === undefined ? [] : [{ index, level: row.level, key, choice: found }];
        });
        const winner = matching.reduce((best, rule) => (rule.index < best.index ? rule : best));
        const expectedPreference = winner.key === undefined ? { kind: 'preference', level: winner.level, choice: winner.choice } : { kind: 'preference', level: winner.level, key: winner.key, choice: winner.choice };

        if (e.status === 'inactive') expect(decision.rule).toEqual({ kind: 'inactive' });
        else if (e.expired) expect(decision.rule).toEqual({ kind: 'expired' });
        else if (e.targetHostName !== app) expect(decision.rule).toEqual({ kind: 'app' });
        else if (n.platforms !== undefined && !n.platforms.includes(e.platformType)) expect(decision.rule).toEqual({ kind: 'platform' });
        else if (winner.choice === 'optOut' && !critical) expect(decision).toEqual({ subscriptionId: sub.id, outcome: 'skipped', rule: expectedPreference });
        else {
          const rule = winner.choice === 'optOut' ? { kind: 'critical', overrode: [expectedPreference] } : expectedPreference;
          expect(decision).toEqual({ subscriptionId: sub.id, outcome: delay === undefined ? 'now' : 'scheduled', at: dueAt, rule });
          return;
        }
        expect(decision.outcome).toBe('skipped');
        expect(decision.at).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });
});
