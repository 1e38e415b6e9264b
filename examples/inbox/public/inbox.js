// The inbox page: sign in, read the feed, act on notifications, follow the feed stream,
// and register for Web Push. Plain modules, no build step.
import { apiUrl, createApi } from './api.js';
import { createFeedView } from './feed-view.js';
import { followFeed } from './live.js';
import { enablePush } from './push.js';

const $ = (selector) => document.querySelector(selector);
// Per tab, so two tabs can be two users.
const storageKey = 'herald-inbox-user';

let session;

function showError(message) {
  const error = $('#error');
  error.textContent = message;
  error.hidden = message === '';
}

const liveTexts = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', closed: 'Live updates unavailable: reload to retry' };

function setLive(state) {
  $('#live-status').dataset.state = state;
  $('#live-text').textContent = liveTexts[state];
}

function signIn(user) {
  sessionStorage.setItem(storageKey, user);
  $('#user-name').textContent = user;
  $('#sign-in').hidden = true;
  $('#account').hidden = false;
  $('#inbox').hidden = false;
  const api = createApi(user);
  const view = createFeedView({ list: $('#feed'), empty: $('#empty'), badge: $('#unread-badge'), onAction: (action, notification, button) => act(action, notification, button) });
  session = { api, view, next: undefined, stream: undefined, loaded: false, pending: [] };
  const current = session;

  // Changes that arrive while the feed is being read wait, then apply on top of it.
  const apply = (change) => (current.loaded ? applyChange(current, change) : current.pending.push(change));
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    void reload(current);
  };
  setLive('connecting');
  current.stream = followFeed(api.streamUrl(), {
    onChange: apply,
    onResync: () => void reload(current),
    onStatus: (state) => {
      setLive(state);
      // Read the feed once the stream follows it (nothing falls between the two), or at
      // once if there is no stream to wait for.
      if (state === 'live' || state === 'closed') start();
    },
  });
}

async function reload(current) {
  current.loaded = false;
  $('#feed').setAttribute('aria-busy', 'true');
  try {
    const [page, unread] = await Promise.all([current.api.page(), current.api.unreadCount()]);
    if (session !== current) return;
    current.view.reset(page.items);
    current.view.setUnread(unread);
    current.next = page.next;
    current.view.setOlderPages(page.next !== undefined);
    $('#load-more').hidden = page.next === undefined;
    showError('');
  } catch (error) {
    showError(`Could not read the feed: ${error.message}`);
  } finally {
    current.loaded = true;
    // Signed out meanwhile: the list is no longer this session's to fill.
    if (session === current) {
      for (const change of current.pending.splice(0)) applyChange(current, change);
      $('#feed').setAttribute('aria-busy', 'false');
    }
  }
}

/** One change of the feed stream: the badge takes its count, the list its notification. */
function applyChange(current, change) {
  if (change.unreadCount !== undefined) current.view.setUnread(change.unreadCount);
  if (change.type === 'deleted') current.view.remove(change.id);
  else current.view.put(change.notification, change.type);
}

async function act(action, notification, button) {
  const current = session;
  button.disabled = true;
  try {
    if (action === 'delete') {
      await current.api.remove(notification.id);
      current.view.remove(notification.id);
    } else {
      const state = action === 'dismiss' ? { readState: 'read', userActionState: 'dismissed' } : { readState: notification.readState === 'read' ? 'unread' : 'read' };
      current.view.put(await current.api.patch(notification.id, state), 'stateChanged');
    }
    // Without the stream, the badge is counted again; with it, the stream's count comes.
    if ($('#live-status').dataset.state !== 'live') current.view.setUnread(await current.api.unreadCount());
    showError('');
  } catch (error) {
    if (error.status === 404) current.view.remove(notification.id);
    else showError(`Could not ${action === 'delete' ? 'delete' : 'change'} “${notification.payload?.visualContent?.title ?? notification.id}”: ${error.message}`);
  } finally {
    button.disabled = false;
  }
}

function signOut() {
  session?.stream?.close();
  session?.view.close();
  session = undefined;
  sessionStorage.removeItem(storageKey);
  $('#feed').replaceChildren();
  $('#feed').setAttribute('aria-busy', 'true');
  $('#inbox').hidden = true;
  $('#account').hidden = true;
  $('#sign-in').hidden = false;
  $('#user-input').focus();
}

$('#sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const user = $('#user-input').value.trim();
  if (user !== '') signIn(user);
});
$('#sign-out').addEventListener('click', signOut);
$('#load-more').addEventListener('click', async () => {
  const current = session;
  if (current?.next === undefined) return;
  const page = await current.api.page(current.next);
  if (session !== current) return;
  current.view.append(page.items);
  current.next = page.next;
  current.view.setOlderPages(page.next !== undefined);
  $('#load-more').hidden = page.next === undefined;
});
$('#enable-push').addEventListener('click', async () => {
  const button = $('#enable-push');
  const status = $('#push-status');
  button.disabled = true;
  status.textContent = 'Registering this browser…';
  try {
    const result = await enablePush({
      api: session.api,
      keyUrl: apiUrl('webpush/vapid-public-key'),
      workerUrl: new URL('service-worker.js', location.href),
      targetHostName: document.documentElement.dataset.heraldApp,
    });
    status.textContent = result.ok ? `This browser gets push notifications (endpoint ${result.subscription.id}).` : result.reason;
    status.dataset.outcome = result.ok ? 'subscribed' : 'refused';
  } catch (error) {
    status.textContent = `Could not register for push notifications: ${error.message}`;
    status.dataset.outcome = 'failed';
  } finally {
    button.disabled = false;
  }
});

const remembered = sessionStorage.getItem(storageKey);
if (remembered !== null) signIn(remembered);
