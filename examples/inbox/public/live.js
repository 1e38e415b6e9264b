// The feed stream (GET /me/notifications/stream, Server-Sent Events): each event is one
// change of the user's feed (`event:` its type, `id:` its cursor, `data:` the notification
// or its tombstone with the unread count after the change). The browser's EventSource
// reconnects by itself and sends the last cursor as Last-Event-ID, so Herald resumes
// exactly where the page left off; `resync` means that cursor is too old to resume from.

const changeTypes = ['created', 'updated', 'stateChanged', 'deleted'];

/** The notification (or tombstone) and unread count of one event's data. */
function readChange(type, text) {
  const data = JSON.parse(text);
  const notification = data.notification ?? data;
  const unreadCount = data.unreadCount ?? data['@herald.unreadCount'];
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
