import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useLoopbackOnly } from '@herald/testing';
import { badge, badgeBecomes, shownIds, startInbox, type Inbox } from './support.js';

useLoopbackOnly();

// What the feed stream promises a page: a change shows in every tab of the user within a second.
const liveMs = 1_000;

let inbox: Inbox;
let one: Page;
let two: Page;
beforeAll(async () => {
  inbox = await startInbox();
  one = await inbox.open('grace');
  two = await inbox.open('grace');
}, 60_000);
afterAll(async () => {
  await inbox?.close();
});

/** Waits for `id` to show in `page`, and says how long it took from `since` (ms). */
async function shows(page: Page, id: string, since: number): Promise<number> {
  await page.locator(`#feed > li[data-id="${id}"]`).waitFor({ timeout: liveMs });
  return performance.now() - since;
}

describe('two tabs of one user, following the feed stream', () => {
  it('shows a send through the HTTP API in both tabs within a second, at the top, with the badge', async () => {
    const earlier = await inbox.send('grace', { id: 'earlier', title: 'Earlier' });
    await Promise.all([shows(one, earlier, performance.now()), shows(two, earlier, performance.now())]);
    const started = performance.now();
    const id = await inbox.send('grace', { id: 'live', title: 'Your order shipped', body: 'Arrives Thursday', groupName: 'orders' });
    const took = await Promise.all([shows(one, id, started), shows(two, id, started)]);
    expect(Math.max(...took), `shown after ${took.map((ms) => ms.toFixed(0)).join(' and ')} ms`).toBeLessThan(liveMs);
    for (const page of [one, two]) {
      expect(await shownIds(page)).toEqual([id, earlier]);
      await badgeBecomes(page, 2, liveMs);
      expect(await page.locator(`li[data-id="${id}"] .notification-body`).textContent()).toBe('Arrives Thursday');
    }
  });

  it('updates the badge and the item in the other tab when one marks it read, dismisses or deletes it', async () => {
    const id = await inbox.send('grace', { id: 'state', title: 'Payment received' });
    await Promise.all([shows(one, id, performance.now()), shows(two, id, performance.now())]);
    await badgeBecomes(two, 3, liveMs);

    await one.locator(`li[data-id="${id}"]`).getByRole('button', { name: 'Mark read' }).click();
    await badgeBecomes(two, 2, liveMs);
    await two.locator(`li[data-id="${id}"][data-read-state="read"]`).waitFor({ timeout: liveMs });

    const dismissed = await inbox.send('grace', { id: 'dismiss-me', title: 'Weekly digest' });
    await shows(two, dismissed, performance.now());
    await badgeBecomes(one, 3, liveMs);
    await two.locator(`li[data-id="${dismissed}"]`).getByRole('button', { name: 'Dismiss' }).click();
    await one.locator(`li[data-id="${dismissed}"][data-user-action-state="dismissed"]`).waitFor({ timeout: liveMs });
    await badgeBecomes(one, 2, liveMs);

    await one.locator(`li[data-id="${dismissed}"]`).getByRole('button', { name: 'Delete' }).click();
    await two.locator(`li[data-id="${dismissed}"]`).waitFor({ state: 'detached', timeout: liveMs });
    // The deleting tab removes it once its DELETE answers, which may be after the other tab's event.
    await one.locator(`li[data-id="${dismissed}"]`).waitFor({ state: 'detached', timeout: liveMs });
    expect(await badge(two)).toBe('2');
    expect(await shownIds(one)).toEqual(await shownIds(two));
  });

  it('follows a change made through the API, not the page', async () => {
    const first = (await one.locator('#feed > li.unread').first().getAttribute('data-id')) ?? '';
    expect(await badge(one)).toBe('2');
    await inbox.call('PATCH', `/me/notifications/${first}`, 'grace', { readState: 'read' });
    await Promise.all([badgeBecomes(one, 1, liveMs), badgeBecomes(two, 1, liveMs)]);
    await inbox.call('DELETE', `/me/notifications/${first}`, 'grace');
    await Promise.all([one, two].map((page) => page.locator(`li[data-id="${first}"]`).waitFor({ state: 'detached', timeout: liveMs })));
  });

  it('opens on a feed with history newest first, each notification once, whatever the stream replays first', async () => {
    const ids: string[] = [];
    for (const title of ['Oldest', 'Middle', 'Newest']) ids.push(await inbox.send('heidi', { id: title.toLowerCase(), title }));
    // The oldest changes last: a stream that replays the feed in change order sends it last.
    await inbox.call('PATCH', `/me/notifications/${ids[0]}`, 'heidi', { readState: 'read' });
    const page = await inbox.open('heidi');
    // A send after the page opened comes after anything the stream replays.
    const latest = await inbox.send('heidi', { id: 'latest', title: 'Latest' });
    await shows(page, latest, performance.now());
    expect(await shownIds(page)).toEqual([latest, ...ids.reverse()]);
    await badgeBecomes(page, 3, liveMs);
    await page.close();
  });

  it('catches up after its connection drops: what was sent meanwhile shows once, the badge with it', async () => {
    const page = await inbox.open('ken');
    const before = await inbox.send('ken', { id: 'before', title: 'Before the drop' });
    await shows(page, before, performance.now());
    inbox.server.server.closeAllConnections();
    await page.locator('#live-status[data-state="reconnecting"]').waitFor({ timeout: 5_000 });
    const during = await inbox.send('ken', { id: 'during', title: 'While away' });
    // EventSource waits about 3 s before it reconnects, then resumes with Last-Event-ID.
    await page.locator('#live-status[data-state="live"]').waitFor({ timeout: 15_000 });
    await shows(page, during, performance.now());
    expect(await shownIds(page)).toEqual([during, before]);
    await badgeBecomes(page, 2, liveMs);
    await page.close();
  }, 30_000);
});
