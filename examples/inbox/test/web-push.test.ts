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
    const page = await inbox.open('frank', { live: false });
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
