// The feed stream (GET /me/notifications/stream, Server-Sent Events): each event is one
// change of the user's feed (`event:` its type, `id:` its cursor, `data:` the notification
// or its tombstone with the unread count after the change). The browser's EventSource
// reconnects by itself and sends the last cursor as Last-Event-ID, so Herald resumes
// exactly where the page left off. `resync` ends a stream that cannot go on (its cursor
// is too old, or the page read too slowly): the page reads the feed again, and the
// browser's reconnect starts a fresh stream.

const changeTypes = ['created', 'updated', 'stateChanged', 'deleted'];

/** One event's data, `{"notification": …, "unreadCount": n}`, as the page applies it. */
function readChange(type, text) {
  const { notification, unreadCount } = JSON.parse(text);
  return { type, id: notification.id, notification: type === 'deleted' ? undefined : notification, unreadCount };
}

/**
 * Follows the stream at `url`: `onChange(change)` for every change, `onResync()` when the
 * page must read the feed again, `onStatus('live' | 'reconnecting')` as the connection goes.
 */
export function followFeed(url, { onChange, onResync, onStatus }) {
  const source = new EventSource(url);
  source.addEventListener('open', () => onStatus('live'));
  source.addEventListener('error', () => onStatus(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'));
  for (const type of changeTypes) {
    source.addEventListener(type, (event) => onChange(readChange(type, event.data)));
  }
  source.addEventListener('resync', () => onResync());
  return { close: () => source.close() };
}
