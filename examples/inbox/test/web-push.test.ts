import { createECDH, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLoopbackOnly } from '@herald/testing';
import { startInbox, type Inbox } from './support.js';

useLoopbackOnly();

describe('Web Push registration on a server without Web Push', () => {
  let inbox: Inbox;
  beforeAll(async () => {
    inbox = await startInbox();
  }, 60_000);
  afterAll(async () => {
    await inbox?.close();
  });

  it('asks the server for its VAPID key, says the server sends no Web Push, and registers nothing', async () => {
    const page = await inbox.open('frank');
    const asked: string[] = [];
    page.on('response', (response) => asked.push(`${response.status()} ${new URL(response.url()).pathname}`));
    await page.getByRole('button', { name: 'Enable push notifications' }).click();
    await page.locator('#push-status[data-outcome="refused"]').waitFor({ timeout: 5_000 });
    expect(await page.locator('#push-status').textContent()).toBe('The server does not send Web Push: start the quickstart server with --webpush.');
    expect(asked).toContain('404 /webpush/vapid-public-key');
    expect(inbox.browser.context.serviceWorkers()).toEqual([]);
    expect((await inbox.call('GET', '/me/notifications/subscriptions', 'frank')).body['value']).toEqual([]);
    await page.close();
  });
});

describe('Web Push registration on a server with Web Push (--webpush)', () => {
  let inbox: Inbox;
  beforeAll(async () => {
    inbox = await startInbox({ webpush: true });
  }, 60_000);
  afterAll(async () => {
    await inbox?.close();
  });

  // Chromium gets a push subscription from Firebase Cloud Messaging, which a test may not
  // reach (loopback only): its pushManager.subscribe() never settles. What runs is
  // checked up to there: the key, the service worker, the permission, a key subscribe()
  // accepts (a malformed one is refused at once with InvalidAccessError), and the page
  // saying what happened instead of waiting for ever.
  it("fetches the VAPID key, registers the service worker, subscribes with the key, and says so when the browser's push service never answers", async () => {
    await inbox.browser.context.grantPermissions(['notifications'], { origin: inbox.server.url });
    const page = await inbox.open('ivan');
    const asked: string[] = [];
    page.on('response', (response) => asked.push(`${response.status()} ${new URL(response.url()).pathname}`));
    await page.getByRole('button', { name: 'Enable push notifications' }).click();
    await page.locator('#push-status[data-outcome]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#push-status').textContent()).toBe('The browser could not subscribe with its push service: its push service did not answer within 10 s');
    expect(asked).toContain('200 /webpush/vapid-public-key');
    expect(inbox.browser.context.serviceWorkers().map((worker) => new URL(worker.url()).pathname)).toEqual(['/inbox/service-worker.js']);
    expect((await inbox.call('GET', '/me/notifications/subscriptions', 'ivan')).body['value']).toEqual([]);
    await page.close();
  }, 40_000);

  it("posts a browser's push subscription to Herald as a webpush endpoint of the signed-in user", async () => {
    const page = await inbox.open('judy');
    // Shaped as PushSubscription.toJSON() gives it; the keys are real (a P-256 point, 16 bytes).
    const subscription = {
      endpoint: `https://fcm.googleapis.com/fcm/send/${randomBytes(16).toString('base64url')}`,
      expirationTime: null,
      keys: { p256dh: createECDH('prime256v1').generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') },
    };
    // The page's own modules, run in the page (an expression, so the test's compiler leaves the import alone).
    const created = (await page.evaluate(`(async () => {
      const { createApi } = await import('/inbox/api.js');
      const { registerEndpoint } = await import('/inbox/push.js');
      return registerEndpoint({ api: createApi('judy'), targetHostName: document.documentElement.dataset.heraldApp, subscription: ${JSON.stringify(subscription)} });
    })()`)) as Record<string, unknown>;
    expect(created).toMatchObject({ platformType: 'webpush', transport: 'webpush', targetHostName: 'graphnotifications.sample.windows.com', status: 'active' });
    const stored = (await inbox.call('GET', '/me/notifications/subscriptions', 'judy')).body['value'] as Array<Record<string, unknown>>;
    expect(stored.map((endpoint) => endpoint['id'])).toEqual([created['id']]);
    expect(JSON.parse(stored[0]?.['address'] as string)).toEqual(subscription);
    // Nothing is sent to judy, so nothing goes to that push service.
    await inbox.call('DELETE', `/me/notifications/subscriptions/${created['id'] as string}`, 'judy');
    await page.close();
  });
});
