// The inbox's service worker: shows what Herald pushes as a system notification, and
// opens (or focuses) the inbox when one is clicked.

self.addEventListener('push', (event) => {
  let message = {};
  try {
    message = event.data?.json() ?? {};
  } catch {
    message = { body: event.data?.text() };
  }
  // A sync message says a notification changed state on another device: close ours.
  if (message.kind === 'sync') {
    event.waitUntil(
      self.registration.getNotifications({ tag: message.id }).then((shown) => {
        const gone = message.type === 'deleted' || message.userActionState === 'dismissed' || message.readState === 'read';
        if (gone) for (const notification of shown) notification.close();
      }),
    );
    return;
  }
  event.waitUntil(
    self.registration.showNotification(message.title ?? 'New notification', {
      body: message.body ?? '',
      // One system notification per Herald notification: an update replaces it.
      tag: message.id,
      data: { id: message.id },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const inbox = windows.find((client) => new URL(client.url).pathname.startsWith(new URL(self.registration.scope).pathname));
      return inbox === undefined ? self.clients.openWindow(self.registration.scope) : inbox.focus();
    }),
  );
});
