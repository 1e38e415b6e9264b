// An app's test written with @herald/testing's matchers, run by the app's own vitest: the
// matchers' types come from @herald/testing's augmentation of that vitest.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestService, heraldMatchers, type TestService } from '@herald/testing';

expect.extend(heraldMatchers);

let herald: TestService;
beforeEach(async () => {
  herald = await createTestService({ transports: ['push'] });
  await herald.subscribe('ada', ['ios', 'android']);
});
afterEach(() => herald.close());

it('sends to ada and delivers to both her devices', async () => {
  await herald.service.send({ targetHostName: 'app.example', appNotificationId: 'post-7', payload: { visualContent: { title: 'Bob', body: 'Great post!' } } }, { userId: 'ada' });
  await herald.runAll();
  await expect(herald).toHaveSentTo('ada', { appNotificationId: 'post-7' });
  expect(herald).toHaveSentTimes(1, 'ada');
  await expect(herald).toHaveDeliveredTo('ios');
  await expect(herald).toHaveDeliveredTo('android');
  await expect(herald).not.toHaveDeliveredTo('windows');
  await expect(herald).toHaveUnreadCount('ada', 1);
});

it('fails a matcher that does not hold', async () => {
  // toHaveSentTo is asynchronous: on failure it reads how each send was decided.
  await expect(expect(herald).toHaveSentTo('ada')).rejects.toThrow(/ada/);
});

// Type-checked, never run: the augmentation gives the matchers their parameters.
export function typedMatchers(kit: TestService): void {
  // @ts-expect-error toHaveSentTimes counts with a number
  expect(kit).toHaveSentTimes('once');
}
