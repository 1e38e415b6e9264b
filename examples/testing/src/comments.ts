/**
 * A small app module: when a comment is posted, notify the post's author on all their
 * devices, grouped by post, so their app can collapse a busy thread and clear it at once.
 * It knows nothing of tests: it takes the Herald service the app wires up.
 */
import type { NotificationService, SendResult } from '@herald/core';

export interface Comment {
  readonly id: string;
  readonly postId: string;
  readonly postAuthorId: string;
  readonly authorId: string;
  readonly authorName: string;
  readonly text: string;
}

/** The app whose clients show these notifications. */
const appHost = 'app.example';

/** Notifies the post's author of a new comment, unless they wrote it themselves. */
export async function notifyCommentPosted(herald: NotificationService, comment: Comment): Promise<SendResult | undefined> {
  if (comment.authorId === comment.postAuthorId) return undefined;
  const preview = comment.text.length > 120 ? `${comment.text.slice(0, 119)}…` : comment.text;
  return herald.send(
    {
      targetHostName: appHost,
      // One notification per comment; a re-sent comment (an edit) updates it in place.
      appNotificationId: `comment-${comment.id}`,
      payload: { visualContent: { title: `${comment.authorName} commented on your post`, body: preview } },
      groupName: `post-${comment.postId}`,
      priority: 'High',
    },
    { userId: comment.postAuthorId },
    // Safe to call twice for the same comment (a retried job): the second call changes nothing.
    { idempotencyKey: `comment-posted-${comment.id}` },
  );
}

/** When the author opens the post, the whole thread's notifications go. */
export async function postOpened(herald: NotificationService, userId: string, postId: string): Promise<number> {
  return herald.feed.deleteGroup(userId, `post-${postId}`, { targetHostName: appHost });
}
