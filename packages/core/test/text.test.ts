import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { HeraldError, type NotificationRequest } from '@herald/core';
import { app, harness, referenceRequest, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.service.close();
});

/** Fields whose pattern (a host name) refuses such text before the Unicode rule is reached. */
const patterned = new Set(['targetHostName']);

/**
 * Rejects with a HeraldError of one of `codes`, whose message or issues name `field` and,
 * for free-text fields, say why.
 */
async function refused(call: Promise<unknown>, codes: readonly string[], field: string): Promise<void> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error, `expected a refusal naming ${field}`).toBeInstanceOf(HeraldError);
  const herald = error as HeraldError;
  expect(codes).toContain(herald.code);
  const said = [herald.message, ...(herald.issues ?? []).map((issue) => `${issue.field} ${issue.message}`)].join(' ');
  expect(said).toContain(field);
  if (!patterned.has(field)) expect(said).toMatch(/well-formed Unicode/);
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));

/** A well-formed string with one lone surrogate put in at some place. */
const illFormed = fc
  .tuple(fc.string({ unit: 'binary', maxLength: 12 }), loneSurrogate, fc.string({ unit: 'binary', maxLength: 12 }))
  // Without control characters, which ids refuse for their own reason.
  .map(([before, lone, after]) => `x${before}${lone}${after}`.replace(/[\u0000-\u001f\u007f]/g, ''))
  // A high surrogate followed by a low one would make a pair, not a lone one.
  .filter((text) => !text.isWellFormed());

/** Each string field of a notification request, and where to put a value into it. */
const notificationFields: ReadonlyArray<readonly [field: string, put: (request: Record<string, unknown>, text: string) => void]> = [
  ['targetHostName', (r, t) => (r['targetHostName'] = t)],
  ['appNotificationId', (r, t) => (r['appNotificationId'] = t)],
  ['payload.visualContent.title', (r, t) => (r['payload'] = { visualContent: { title: t, body: 'b' } })],
  ['payload.visualContent.body', (r, t) => (r['payload'] = { visualContent: { title: 't', body: t } })],
  ['payload.rawContent', (r, t) => (r['payload'] = { rawContent: t })],
  ['groupName', (r, t) => (r['groupName'] = t)],
  [
    'fallbackPolicy.endpointFallback.visualContent.title',
    (r, t) => {
      r['payload'] = { rawContent: 'raw' };
      r['fallbackPolicy'] = { endpointFallback: { platformTypes: ['windows'], fallbackDelayInSeconds: 60, visualContent: { title: t } } };
    },
  ],
];

describe('text that is not well-formed Unicode', () => {
  it('is refused as a userId, so two users whose ids differ by a lone surrogate never share a feed', async () => {
    h = await harness();
    await refused(h.service.send(referenceRequest(h.clock.now()), { userId: 'user-\ud800' }), ['INVALID_ARGUMENT'], 'userId');
    await refused(h.service.feed.list('user-\ud801'), ['INVALID_ARGUMENT'], 'userId');
  });

  it('is refused as an appNotificationId, so two different ids never collapse into one notification', async () => {
    h = await harness();
    const now = h.clock.now();
    await refused(h.service.send(referenceRequest(now, { appNotificationId: 'm\ud800' }), { userId: 'alice' }), ['CONTRACT_MISMATCH'], 'appNotificationId');
    await refused(h.service.send(referenceRequest(now, { appNotificationId: 'm\ud801' }), { userId: 'alice' }), ['CONTRACT_MISMATCH'], 'appNotificationId');
    expect((await h.service.feed.list('alice')).items).toHaveLength(0);
  });

  it('is refused in a title with both halves of a pair apart', async () => {
    h = await harness();
    const request = referenceRequest(h.clock.now(), { payload: { visualContent: { title: 'ok \ud83d end \udc00' } } });
    await refused(h.service.send(request, { userId: 'alice' }), ['INVALID_PAYLOAD'], 'payload.visualContent.title');
  });

  it('is refused in every string field of a notification, and nothing is stored', async () => {
    h = await harness();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...notificationFields), illFormed, async ([field, put], text) => {
        const request = referenceRequest(h.clock.now()) as unknown as Record<string, unknown>;
        put(request, text);
        await refused(h.service.send(request as unknown as NotificationRequest, { userId: 'alice' }), ['CONTRACT_MISMATCH', 'INVALID_PAYLOAD'], field);
      }),
      { numRuns: 200 },
    );
    expect((await h.service.feed.list('alice')).items).toHaveLength(0);
  });

  it('is refused in every string field of a subscription, and in every id and text argument', async () => {
    h = await harness();
    const [subscriptionId] = await h.subscribe('alice', ['windows']);
    const { notification } = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    const subscription = { targetHostName: app, platformType: 'windows', transport: h.transport.name, address: 'a' };
    type Call = readonly [field: string, codes: readonly string[], call: (text: string) => Promise<unknown>];
    const calls: readonly Call[] = [
      ['targetHostName', ['CONTRACT_MISMATCH'], (t) => h.service.subscriptions.create('alice', { ...subscription, targetHostName: t })],
      ['address', ['CONTRACT_MISMATCH'], (t) => h.service.subscriptions.create('alice', { ...subscription, address: t })],
      ['secret', ['CONTRACT_MISMATCH'], (t) => h.service.subscriptions.create('alice', { ...subscription, secret: t })],
      ['userId', ['INVALID_ARGUMENT'], (t) => h.service.subscriptions.create(t, subscription)],
      ['subscriptionId', ['INVALID_ARGUMENT'], (t) => h.service.send(referenceRequest(h.clock.now()), { subscriptionId: t })],
      ['notificationId', ['INVALID_ARGUMENT'], (t) => h.service.feed.markRead('alice', t)],
      ['groupName', ['INVALID_ARGUMENT'], (t) => h.service.feed.deleteGroup('alice', t)],
      ['groupName', ['INVALID_ARGUMENT'], (t) => h.service.feed.list('alice', { groupName: t })],
      ['targetHostName', ['INVALID_ARGUMENT'], (t) => h.service.feed.unreadCount('alice', { targetHostName: t })],
      ['reason', ['INVALID_ARGUMENT'], (t) => h.service.subscriptions.deactivate(subscriptionId as string, t)],
      ['reason', ['INVALID_ARGUMENT'], (t) => h.service.deliveries.cancel('alice', notification.id, t)],
      ['idempotencyKey', ['INVALID_ARGUMENT'], (t) => h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' }, { idempotencyKey: t })],
      ['caller.id', ['INVALID_ARGUMENT'], (t) => h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' }, { caller: { id: t } })],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...calls), illFormed, async ([field, codes, call], text) => {
        await refused(call(text), codes, field);
      }),
      { numRuns: 300 },
    );
    expect(await h.service.subscriptions.list('alice')).toHaveLength(1);
    expect((await h.service.feed.list('alice')).items).toHaveLength(1);
  });

  it('accepts every well-formed string, astral characters and all, and returns it exactly', async () => {
    h = await harness();
    await h.subscribe('alice', ['windows']);
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), async (text) => {
        // Ids and names refuse control characters; text in the payload may hold any.
        const name = `g${text.replace(/[\u0000-\u001f\u007f]/g, '')}`.slice(0, 200);
        const request = referenceRequest(h.clock.now(), { payload: { visualContent: { title: text, body: text } }, groupName: name, appNotificationId: name });
        const { notification } = await h.service.send(request, { userId: name });
        const stored = await h.service.feed.get(name, notification.id);
        expect(stored?.payload.visualContent).toEqual({ title: text, body: text });
        expect(stored?.groupName).toBe(name);
        expect(stored?.appNotificationId).toBe(name);
      }),
      { numRuns: 200 },
    );
  });
});
