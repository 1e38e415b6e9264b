import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLoopbackOnly } from '@herald/testing';
import { badge, badgeBecomes, shownIds, startInbox, type Inbox } from './support.js';

// The test's own connections stay on loopback; Chromium's are held there by its flags.
useLoopbackOnly();

let inbox: Inbox;
beforeAll(async () => {
  inbox = await startInbox();
}, 60_000);
afterAll(async () => {
  await inbox?.close();
});

describe('the inbox page', () => {
  it('shows the feed newest first with its unread badge, and marks read, dismisses and deletes', async () => {
    const first = await inbox.send('carol', { id: 'first', title: 'Build finished', body: 'main is green', groupName: 'ci' });
    const second = await inbox.send('carol', { id: 'second', title: 'Review requested', body: 'Dana asked for your review', groupName: 'reviews' });
    await inbox.send('dana', { id: 'other-user', title: 'Not for carol' });
    const page = await inbox.open('carol');
    expect(await shownIds(page)).toEqual([second, first]);
    expect(await badge(page)).toBe('2');
    const item = page.locator(`li[data-id="${second}"]`);
    expect(await item.getByRole('heading').textContent()).toBe('Review requested');
    expect(await item.locator('.notification-body').textContent()).toBe('Dana asked for your review');
    expect(await item.locator('.group').textContent()).toBe(' · reviews');

    await item.getByRole('button', { name: 'Mark read' }).click();
    await badgeBecomes(page, 1, 5_000);
    expect(await item.getAttribute('data-read-state')).toBe('read');
    expect((await inbox.call('GET', `/me/notifications/${second}`, 'carol')).body['readState']).toBe('read');
    await item.getByRole('button', { name: 'Mark unread' }).click();
    await badgeBecomes(page, 2, 5_000);

    const older = page.locator(`li[data-id="${first}"]`);
    await older.getByRole('button', { name: 'Dismiss' }).click();
    await badgeBecomes(page, 1, 5_000);
    expect(await older.getAttribute('data-user-action-state')).toBe('dismissed');
    expect((await inbox.call('GET', `/me/notifications/${first}`, 'carol')).body).toMatchObject({ readState: 'read', userActionState: 'dismissed' });

    await item.getByRole('button', { name: 'Delete' }).click();
    await item.waitFor({ state: 'detached', timeout: 5_000 });
    await badgeBecomes(page, 0, 5_000);
    expect((await inbox.call('GET', `/me/notifications/${second}`, 'carol')).status).toBe(404);
    expect(await shownIds(page)).toEqual([first]);
    await page.close();
  });

  it('reads the same feed again after a reload, signed in as before in that tab', async () => {
    await inbox.send('erin', { id: 'kept', title: 'Still here' });
    const page = await inbox.open('erin');
    await page.reload();
    await page.locator('#feed[aria-busy="false"]').waitFor({ state: 'attached' });
    expect(await page.locator('#user-name').textContent()).toBe('erin');
    expect(await page.locator('#feed > li').count()).toBe(1);
    // No group: the meta line names the app and the time only.
    expect(await page.locator('#feed > li .group').textContent()).toBe('');
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.getByLabel('Your name').isVisible()).toBe(true);
    expect(await page.locator('#feed > li').count()).toBe(0);
    await page.close();
  });

  it('loads without a failed request or a console error (its icon included)', async () => {
    const page = await inbox.browser.newPage();
    const failures: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') failures.push(`console: ${message.text()}`);
    });
    await page.goto(`${inbox.server.url}/inbox/`);
    await page.getByLabel('Your name').fill('gina');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#live-status[data-state="live"]').waitFor();
    await page.locator('#feed[aria-busy="false"]').waitFor({ state: 'attached' });
    // The icon the page names is served (a browser may or may not fetch it on its own).
    const iconHref = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(iconHref).not.toBeNull();
    expect((await fetch(new URL(iconHref ?? '', `${inbox.server.url}/inbox/`))).status).toBe(200);
    expect(failures).toEqual([]);
    await page.close();
  });

  it('makes the screenshot docs/inbox.md shows (written there with HERALD_UPDATE_SCREENSHOT=1)', async () => {
    const sends = [
      { id: 'deploy', title: 'Deployment finished', body: 'herald-web 2.4.0 is live in eu-west', groupName: 'deployments' },
      { id: 'invoice', title: 'Invoice paid', body: 'Contoso paid invoice #1042 (€1,250.00)', groupName: 'billing' },
      { id: 'review', title: 'Review requested', body: 'Dana asked you to review “Streaming feed”', groupName: 'reviews' },
      { id: 'meeting', title: 'Stand-up in 10 minutes', body: 'Room 4 or the usual link', groupName: 'calendar' },
    ];
    const ids: string[] = [];
    for (const notification of sends) ids.push(await inbox.send('alice', notification));
    await inbox.call('PATCH', `/me/notifications/${ids[0]}`, 'alice', { readState: 'read' });
    await inbox.call('PATCH', `/me/notifications/${ids[1]}`, 'alice', { readState: 'read', userActionState: 'dismissed' });
    const page = await inbox.open('alice');
    expect(await badge(page)).toBe('2');
    const directory = await mkdtemp(join(tmpdir(), 'herald-inbox-shot-'));
    const target = process.env['HERALD_UPDATE_SCREENSHOT'] === '1' ? fileURLToPath(new URL('../../../docs/inbox.png', import.meta.url)) : join(directory, 'inbox.png');
    await page.screenshot({ path: target, fullPage: true });
    const png = await readFile(target);
    await rm(directory, { recursive: true, force: true });
    // The PNG signature, and a picture of some size, not an empty page.
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeGreaterThan(20_000);
    await page.close();
  });

  it("shows nothing of a user who signed out while their feed was being read, to the next one who signs in", async () => {
    const secret = await inbox.send('lena', { id: 'private', title: 'For lena only' });
    const page = await inbox.browser.newPage();
    // lena's feed reads are held (then sent on, unchanged) until she has signed out.
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(
      (url) => url.pathname === '/me/notifications',
      async (route) => {
        if (route.request().headers()['authorization'] === 'Bearer lena') await held;
        await route.continue();
      },
    );
    // Seen through the DevTools protocol: the stream's replay of lena's feed reached the page.
    const cdp = await inbox.browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    const replayed = new Promise<void>((resolve) => {
      cdp.on('Network.eventSourceMessageReceived', (message) => {
        if (message.data.includes(secret)) resolve();
      });
    });
    await page.goto(`${inbox.server.url}/inbox/`);
    await page.getByLabel('Your name').fill('lena');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await replayed;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Your name').fill('mike');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#live-status[data-state="live"]').waitFor();
    await page.locator('#feed[aria-busy="false"]').waitFor({ state: 'attached' });
    const lenaRead = page.waitForResponse((response) => response.request().headers()['authorization'] === 'Bearer lena' && new URL(response.url()).pathname === '/me/notifications');
    release();
    await (await lenaRead).finished();
    // A turn of the page's event loop for lena's read to finish what it does.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
    expect(await page.locator('#user-name').textContent()).toBe('mike');
    expect(await shownIds(page)).toEqual([]);
    expect(await badge(page)).toBe('0');
    await cdp.detach();
    await page.close();
  });
});
