// Web Push registration, the path a real app copies: a service worker, the server's VAPID
// public key, the browser's push subscription, and that subscription sent to Herald as an
// endpoint of the signed-in user (transport `webpush`, platform `webpush`).

/** The VAPID public key (base64url, as the server gives it) as the bytes pushManager wants. */
function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** How long the browser's push service may take to hand out a subscription, in ms. */
const subscribeTimeoutMs = 10_000;

function answerWithin(ms, promise) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`its push service did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The server's VAPID public key: `undefined` when the server does not do Web Push. */
async function vapidPublicKey(url) {
  const response = await fetch(url);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`the server answered ${response.status} for its VAPID public key`);
  const type = response.headers.get('content-type') ?? '';
  const text = (await response.text()).trim();
  return type.includes('json') ? JSON.parse(text).publicKey : text;
}

/**
 * Registers this browser for Web Push and tells Herald. Resolves with what happened, for
 * the page to say: `{ ok: true, subscription }` or `{ ok: false, reason }`.
 */
export async function enablePush({ api, keyUrl, workerUrl, targetHostName }) {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) {
    return { ok: false, reason: 'This browser has no Web Push (it needs a service worker and the Push API, on https or localhost).' };
  }
  const key = await vapidPublicKey(keyUrl);
  if (key === undefined) {
    return { ok: false, reason: 'The server does not send Web Push: start the quickstart server with --webpush.' };
  }
  const registration = await navigator.serviceWorker.register(workerUrl);
  await navigator.serviceWorker.ready;
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    return { ok: false, reason: 'Notifications are blocked for this site: allow them in the browser, then try again.' };
  }
  let subscription;
  try {
    // A browser subscribed before keeps its subscription; otherwise its push service makes one.
    subscription =
      (await registration.pushManager.getSubscription()) ??
      (await answerWithin(subscribeTimeoutMs, registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) })));
  } catch (error) {
    // The browser's push service refused, or never answered: a browser that cannot reach
    // its push service (no network, a headless Chromium) leaves subscribe() pending.
    return { ok: false, reason: `The browser could not subscribe with its push service: ${error.message}` };
  }
  return { ok: true, subscription: await registerEndpoint({ api, targetHostName, subscription: subscription.toJSON() }) };
}

/**
 * Tells Herald about a browser's push subscription (`PushSubscription.toJSON()`): a new
 * endpoint of the signed-in user, whose id app servers send to as `X-UNS-ID`.
 * @public the browser test calls it in the page with a subscription of its own, since a
 *   headless Chromium never gets one from its push service
 */
export function registerEndpoint({ api, targetHostName, subscription }) {
  return api.subscribe({
    targetHostName,
    platformType: 'webpush',
    transport: 'webpush',
    // The subscription's JSON (endpoint, keys.p256dh, keys.auth) is what the transport needs.
    address: JSON.stringify(subscription),
  });
}
