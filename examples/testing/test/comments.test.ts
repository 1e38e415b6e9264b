import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestService, heraldMatchers, type TestService } from '@herald/testing';
import { notifyCommentPosted, postOpened, type Comment } from '../src/comments.js';

expect.extend(heraldMatchers);

let herald: TestService;
beforeEach(async () => {
  herald = await createTestService({ transports: ['push'] });
  await herald.subscribe('ada', ['ios', 'android', 'windows']);
});
afterEach(() => herald.close());

const comment = (overrides: Partial<Comment> = {}): Comment => ({
  id: 'c1',
  postId: '7',
  postAuthorId: 'ada',
  authorId: 'bob',
  authorName: 'Bob',
  text: 'Great post!',
  ...overrides,
});

describe('a new comment', () => {
  it("notifies the post's author on all devices, grouped by post", async () => {
    await notifyCommentPosted(herald.service, comment());
    await herald.runAll();

    await expect(herald).toHaveSentTo('ada', { groupName: 'post-7', payload: { visualContent: { title: 'Bob commented on your post', body: 'Great post!' } } });
    await expect(herald).toHaveDeliveredTo('ios');
    await expect(herald).toHaveDeliveredTo('android');
    await expect(herald).toHaveDeliveredTo('windows');
    await expect(herald).toHaveUnreadCount('ada', 1);
  });

  it('does not notify authors of their own comments', async () => {
    await notifyCommentPosted(herald.service, comment({ authorId: 'ada' }));
    expect(herald).toHaveSentNothing();
  });

  it('sends once when the same comment is announced twice', async () => {
    await notifyCommentPosted(herald.service, comment());
    await notifyCommentPosted(herald.service, comment());
    expect(herald).toHaveSentTimes(1, 'ada');
  });

  it('retries a flaky device until it gets through', async () => {
    herald.transport.when({ platformType: 'android' }).failTimes(3);
    await notifyCommentPosted(herald.service, comment());

    await herald.advance('1s');
    await expect(herald).not.toHaveDeliveredTo('android');
    await herald.runAll(); // the backoff runs on the fake clock: no sleeping
    await expect(herald).toHaveDeliveredTo('android');
    expect(herald.transport.deliveries.filter((d) => d.endpoint.platformType === 'android').map((d) => d.outcome)).toEqual([
      'retryable',
      'retryable',
      'retryable',
      'delivered',
    ]);
  });

  it('clears the thread when the author opens the post', async () => {
    await notifyCommentPosted(herald.service, comment({ id: 'c1' }));
    await notifyCommentPosted(herald.service, comment({ id: 'c2', authorName: 'Cy' }));
    await notifyCommentPosted(herald.service, comment({ id: 'c3', postId: '8' }));
    await expect(herald).toHaveUnreadCount('ada', 3);

    expect(await postOpened(herald.service, 'ada', '7')).toBe(2);
    await expect(herald).toHaveUnreadCount('ada', 1);
    await expect(herald).not.toHaveInFeed('ada', { groupName: 'post-7' });
  });
});
