import { afterEach, describe, expect, it } from 'vitest';
import { createTestService, heraldMatchers, type TestService } from '@herald/testing';

expect.extend(heraldMatchers);

let kit: TestService;
afterEach(async () => {
  await kit?.close();
});

const comment = (id: string, title = 'New comment') => ({
  targetHostName: 'app.example',
  appNotificationId: id,
  payload: { visualContent: { title, body: 'Bob: nice post' } },
  groupName: 'post-7',
});

describe('createTestService', () => {
  it('sends through a real service, records deliveries, and needs no sleeps', async () => {
    kit = await createTestService();
    await kit.subscribe('alice', ['ios', 'android']);
    await kit.service.send(comment('c1'), { userId: 'alice' });
    await kit.runAll();
    expect(kit.transport.delivered().map((d) => d.endpoint.platformType).sort()).toEqual(['android', 'ios']);
    await expect(kit).toHaveSentTo('alice', { groupName: 'post-7' });
    await expect(kit).toHaveDeliveredTo('ios');
    await expect(kit).toHaveUnreadCount('alice', 1);
    await expect(kit).toHaveInFeed('alice', { payload: { visualContent: { title: 'New comment' } } });
  });

  it('runs retries with their backoff on the fake clock, deterministically', async () => {
    kit = await createTestService({ service: { dispatcher: { retry: { maxAttempts: 5, delayMs: (n: number) => n * 60_000 } } } });
    const [ios] = await kit.subscribe('alice', 'ios');
    kit.transport.when({ subscriptionId: ios?.id }).failTimes(2);
    const start = kit.clock.now();
    await kit.service.send(comment('c1'), { userId: 'alice' });
    await kit.advance('30s');
    expect(kit.transport.deliveries.map((d) => d.outcome)).toEqual(['retryable']);
    await kit.runAll();
    expect(kit.transport.deliveries.map((d) => [d.outcome, d.at - start])).toEqual([
      ['retryable', 0],
      ['retryable', 60_000],
      ['delivered', 180_000],
    ]);
  });

  it('scripts permanent failures, gone endpoints, retry-after hints and hangs', async () => {
    kit = await createTestService({ service: { dispatcher: { attemptTimeoutMs: 10_000, retry: { maxAttempts: 2, delayMs: () => 1000 } } } });
    const [windows, ios, android, webpush] = await kit.subscribe('alice', ['windows', 'ios', 'android', 'webpush']);
    kit.transport.when({ platformType: 'windows' }).failPermanently('400 bad token');
    kit.transport.when({ address: 'ios:alice' }).gone();
    kit.transport.when((endpoint) => endpoint.platformType === 'android').failTimes(1, { retryAfterMs: 3_600_000 });
    kit.transport.when({ subscriptionId: webpush?.id }).hang(1);
    const { notification } = await kit.service.send(comment('c1'), { userId: 'alice' });
    await kit.advance('11s');
    const statuses = Object.fromEntries((await kit.service.deliveries.list('alice', notification.id)).map((d) => [d.platformType, d.status]));
    expect(statuses).toEqual({ windows: 'dead', ios: 'dead', android: 'failed', webpush: 'delivered' });
    expect((await kit.service.subscriptions.get(ios?.id as string))?.status).toBe('inactive');
    await kit.advance('1h');
    await expect(kit).toHaveDeliveredTo({ subscriptionId: android?.id });
    await expect(kit).not.toHaveDeliveredTo({ subscriptionId: windows?.id });
  });

  it('runs scheduled sends when their time comes', async () => {
    kit = await createTestService();
    await kit.subscribe('alice', 'ios');
    await kit.service.send(comment('reminder'), { userId: 'alice' }, { sendAt: kit.clock.now() + 15 * 60_000 });
    await kit.advance('14m');
    await expect(kit).not.toHaveDeliveredTo('ios');
    await kit.advance('1m');
    await expect(kit).toHaveDeliveredTo('ios');
  });

  it('leaves no timer behind: runAll ends while the service runs', async () => {
    kit = await createTestService();
    await kit.subscribe('alice', 'ios');
    await kit.service.send(comment('c1'), { userId: 'alice' });
    await kit.runAll();
    expect(kit.clock.pending().work).toBe(0);
  });
});

describe('the matchers’ messages', () => {
  function failure(run: () => unknown): string {
    try {
      run();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('the assertion passed');
  }

  async function asyncFailure(run: () => Promise<unknown>): Promise<string> {
    try {
      await run();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('the assertion passed');
  }

  it('toHaveSentTo says what was expected and what each user was sent', async () => {
    kit = await createTestService();
    await kit.service.send(comment('c1'), { userId: 'bob' });
    expect(await asyncFailure(() => expect(kit).toHaveSentTo('alice', { groupName: 'post-7' }))).toBe(
      'expected a notification sent to "alice" matching {"groupName":"post-7"}, but "alice" was sent: nothing\n' +
        'and to other users: \n  1. "New comment" — "Bob: nice post" (to "bob", appNotificationId "c1", group "post-7")',
    );
    expect(await asyncFailure(() => expect(kit).not.toHaveSentTo('bob'))).toBe(
      'expected no notification sent to "bob", but 1 was: \n  1. "New comment" — "Bob: nice post" (to "bob", appNotificationId "c1", group "post-7")',
    );
  });

  it('toHaveSent and toHaveSentNothing', async () => {
    kit = await createTestService();
    expect(failure(() => expect(kit).toHaveSent())).toBe('expected a notification to be sent, but what was sent is: nothing');
    await kit.service.send(comment('c1', 'Hi'), { userId: 'bob' });
    expect(failure(() => expect(kit).toHaveSentNothing())).toBe(
      'expected nothing to be sent, but 1 notification was: \n  1. "Hi" — "Bob: nice post" (to "bob", appNotificationId "c1", group "post-7")',
    );
    expect(failure(() => expect(kit).toHaveSent((n) => n.groupName === 'other'))).toContain('expected a notification to be sent matching a predicate, but what was sent is: \n  1. "Hi"');
  });

  it('toHaveSentTimes counts', async () => {
    kit = await createTestService();
    await kit.service.send(comment('c1'), { userId: 'alice' });
    await kit.service.send(comment('c1', 'Edited'), { userId: 'alice' });
    expect(kit).toHaveSentTimes(2, 'alice');
    expect(failure(() => expect(kit).toHaveSentTimes(1, 'alice'))).toMatch(/^expected 1 notification sent to "alice", but there were 2: \n  1\. "New comment".*\n  2\. "Edited"/);
  });

  it('toHaveDeliveredTo lists the attempts', async () => {
    kit = await createTestService();
    await kit.subscribe('alice', 'ios');
    kit.transport.when().failPermanently('nope');
    await kit.service.send(comment('c1'), { userId: 'alice' });
    await kit.runAll();
    expect(await asyncFailure(() => expect(kit).toHaveDeliveredTo('ios'))).toBe(
      'expected a delivery to an ios endpoint, but the attempts were:\n  - permanent to ios "ios:alice": "New comment" — "Bob: nice post" (to "alice", appNotificationId "c1", group "post-7")\n' +
        'where what was sent went:\n  - "New comment" — "Bob: nice post" (to "alice", appNotificationId "c1", group "post-7"):\n      ios "ios:alice": notification dead after 1 attempt, last error TRANSPORT_PERMANENT: nope',
    );
    expect(await asyncFailure(() => expect(kit).toHaveDeliveredTo({ address: 'android:alice' }))).toContain('expected a delivery to an endpoint matching {"address":"android:alice"}');
  });

  it('toHaveInFeed and toHaveUnreadCount', async () => {
    kit = await createTestService();
    expect(await asyncFailure(() => expect(kit).toHaveInFeed('alice', { groupName: 'x' }))).toBe('expected "alice"\'s feed to hold a notification matching {"groupName":"x"}, but it holds: nothing');
    await kit.service.send(comment('c1'), { userId: 'alice' });
    expect(await asyncFailure(() => expect(kit).toHaveUnreadCount('alice', 3))).toBe('expected "alice" to have 3 unread notifications, but they have 1');
  });

  it('refuses to assert on something that is not a test service', () => {
    expect(failure(() => expect({}).toHaveSentNothing())).toContain('expects the object createTestService() returned');
  });
});
