// The feed as the page shows it: newest first (by last creation or update, as Herald
// orders it), each notification a list item updated in place, so a screen reader's live
// region announces what arrived or left, not the whole list again.

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function createFeedView({ list, empty, badge, onAction }) {
  /** id → notification, and the ids in the order shown. */
  const shown = new Map();
  let order = [];
  let olderPages = false;

  function itemOf(id) {
    return list.querySelector(`li[data-id="${CSS.escape(id)}"]`);
  }

  function fill(item, notification) {
    const { title, body } = notification.payload?.visualContent ?? {};
    const read = notification.readState === 'read';
    const dismissed = notification.userActionState === 'dismissed';
    item.classList.toggle('unread', !read);
    item.classList.toggle('dismissed', dismissed);
    item.dataset.readState = notification.readState;
    item.dataset.userActionState = notification.userActionState;
    const titleId = `title-${notification.id}`;
    const heading = item.querySelector('.notification-title');
    heading.id = titleId;
    heading.textContent = title ?? notification.appNotificationId;
    item.querySelector('.notification-body').textContent = body ?? (notification.payload?.rawContent === undefined ? '' : 'Data for the app (no text to show)');
    item.querySelector('.app').textContent = notification.targetHostName;
    const group = item.querySelector('.group');
    // A group is shown only when the notification has one: "no group" means nothing to a reader.
    group.textContent = notification.groupName === undefined ? '' : ` · ${notification.groupName}`;
    const time = item.querySelector('time');
    time.dateTime = notification.createdDateTime;
    time.textContent = timeFormat.format(new Date(notification.createdDateTime));
    item.querySelector('.notification-state').textContent = [read ? 'Read' : 'Unread', dismissed ? 'dismissed' : undefined].filter(Boolean).join(', ');
    const toggle = item.querySelector('[data-action="toggle-read"]');
    toggle.textContent = read ? 'Mark unread' : 'Mark read';
    const dismiss = item.querySelector('[data-action="dismiss"]');
    dismiss.hidden = dismissed;
    for (const button of item.querySelectorAll('button')) button.setAttribute('aria-describedby', titleId);
  }

  function create(notification) {
    const item = document.querySelector('#notification-template').content.firstElementChild.cloneNode(true);
    item.dataset.id = notification.id;
    item.setAttribute('aria-labelledby', `title-${notification.id}`);
    for (const button of item.querySelectorAll('button')) {
      button.addEventListener('click', () => onAction(button.dataset.action, shown.get(notification.id), button));
    }
    return item;
  }

  /** Puts the list items in `order`, moving only those out of place. */
  function arrange() {
    let previous = null;
    for (const id of order) {
      const item = itemOf(id);
      const expected = previous === null ? list.firstElementChild : previous.nextElementSibling;
      if (item !== expected) list.insertBefore(item, expected);
      previous = item;
    }
    empty.hidden = order.length > 0;
  }

  const methods = {
    /** Replaces everything shown with a fresh page of the feed (newest first). */
    reset(notifications) {
      shown.clear();
      list.replaceChildren();
      order = [];
      this.append(notifications);
    },
    /** Adds an older page below what is shown. */
    append(notifications) {
      for (const notification of notifications) {
        if (shown.has(notification.id)) continue;
        shown.set(notification.id, notification);
        order.push(notification.id);
        const item = create(notification);
        fill(item, notification);
        list.append(item);
      }
      empty.hidden = order.length > 0;
    },
    /**
     * A notification from the stream or an action. A `created` one takes its place by
     * creation time, an `updated` one goes to the top (Herald orders the feed by last
     * creation or update), a state change keeps its place. One the page already shows as
     * recent or more recent (a replay, or a change overtaken by a read) changes nothing;
     * one older than everything shown while older pages are unread belongs to those pages.
     */
    put(notification, change) {
      const current = shown.get(notification.id);
      if (current !== undefined && current.lastModifiedDateTime > notification.lastModifiedDateTime) return;
      if (current === undefined) {
        if (change === 'stateChanged') return;
        const last = shown.get(order[order.length - 1]);
        if (olderPages && last !== undefined && notification.createdDateTime < last.createdDateTime) return;
      }
      const replay = current !== undefined && current.lastModifiedDateTime === notification.lastModifiedDateTime;
      shown.set(notification.id, notification);
      if (change === 'updated' && !replay) {
        order = [notification.id, ...order.filter((id) => id !== notification.id)];
      } else if (current === undefined) {
        const at = order.findIndex((id) => shown.get(id).createdDateTime < notification.createdDateTime);
        order.splice(at === -1 ? order.length : at, 0, notification.id);
      }
      const item = itemOf(notification.id) ?? create(notification);
      fill(item, notification);
      if (!item.isConnected) list.prepend(item);
      arrange();
    },
    /** Whether the feed has older pages than those shown. */
    setOlderPages(more) {
      olderPages = more;
    },
    remove(id) {
      shown.delete(id);
      order = order.filter((other) => other !== id);
      itemOf(id)?.remove();
      arrange();
    },
    setUnread(count) {
      badge.textContent = String(count);
      badge.setAttribute('aria-label', `${count} unread`);
      badge.classList.toggle('zero', count === 0);
    },
  };

  // After sign-out the list and the badge are the next session's: a late answer or
  // event for this one changes nothing.
  let open = true;
  const guarded = Object.fromEntries(Object.entries(methods).map(([name, method]) => [name, (...args) => (open ? method.apply(methods, args) : undefined)]));
  return {
    ...guarded,
    close() {
      open = false;
    },
  };
}
