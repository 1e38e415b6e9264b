/**
 * The quickstart server (memory store, inbox page at /inbox/) on a free loopback port,
 * Chromium, and what the tests do as an app server and as a user.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Page } from 'playwright-core';
import { startQuickstartServer, type QuickstartServer } from '../../quickstart/src/server.js';
import { launchChromium, type Browser } from './browser.js';

const app = 'graphnotifications.sample.windows.com';

export interface Inbox {
  readonly server: QuickstartServer;
  readonly browser: Browser;
  /** A call to the API as `user` (development authenticator). */
  call(method: string, path: string, user: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A new tab with the inbox page, signed in as `user`, once it follows the stream and has read the feed. */
  open(user: string): Promise<Page>;
  /** Sends a notification to `user` as an app server; resolves with its id. */
  send(user: string, notification: { id: string; title: string; body?: string; groupName?: string }): Promise<string>;
  close(): Promise<void>;
}

/** Starts the server (with `webpush`, its VAPID keys in a temporary directory) and Chromium. */
export async function startInbox({ webpush = false }: { webpush?: boolean } = {}): Promise<Inbox> {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'herald-inbox-data-'));
  const server = await startQuickstartServer({
    port: 0,
    store: 'memory',
    output: new PassThrough(),
    dataDirectory,
    ...(webpush ? { webpush: { subject: 'mailto:inbox-test@example.com' } } : {}),
  });
  const browser = await launchChromium().catch(async (error: unknown) => {
    await server.close();
    await rm(dataDirectory, { recursive: true, force: true });
    throw error;
  });
  const endpoints = new Map<string, string>();

  const call: Inbox['call'] = async (method, path, user, body, headers = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${user}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (response.status === 204 ? {} : await response.json()) as Record<string, unknown> };
  };

  /** The user's console endpoint, whose X-UNS-ID the app server sends to. */
  async function endpointOf(user: string): Promise<string> {
    const known = endpoints.get(user);
    if (known !== undefined) return known;
    const created = await call('POST', '/me/notifications/subscriptions', user, { targetHostName: app, platformType: 'windows', transport: 'console', address: `${user}-pc` });
    if (created.status !== 201) throw new Error(`subscribing ${user} answered ${created.status}: ${JSON.stringify(created.body)}`);
    endpoints.set(user, created.body['id'] as string);
    return created.body['id'] as string;
  }

  return {
    server,
    browser,
    call,
    async open(user) {
      const page = await browser.newPage();
      page.on('pageerror', (error) => process.stderr.write(`[inbox page] ${error.stack ?? error.message}\n`));
      await page.goto(`${server.url}/inbox/`);
      await page.getByLabel('Your name').fill(user);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#live-status[data-state="live"]').waitFor();
      await page.locator('#feed[aria-busy="false"]').waitFor({ state: 'attached' });
      return page;
    },
    async send(user, { id, title, body, groupName }) {
      const answer = await call('POST', '/me/notifications', 'app-server', {
        targetHostName: app,
        appNotificationId: id,
        payload: { visualContent: { title, ...(body === undefined ? {} : { body }) } },
        ...(groupName === undefined ? {} : { groupName }),
      }, { 'x-uns-id': await endpointOf(user) });
      if (answer.status !== 201 && answer.status !== 200) throw new Error(`sending answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      return answer.body['id'] as string;
    },
    async close() {
      await browser.close();
      await server.close();
      await rm(dataDirectory, { recursive: true, force: true });
    },
  };
}

/** The text of the unread badge. */
export function badge(page: Page): Promise<string | null> {
  return page.locator('#unread-badge').textContent();
}

/** Waits until the badge of `page` says `count`, for at most `timeout` ms. */
export async function badgeBecomes(page: Page, count: number, timeout: number): Promise<void> {
  await page.locator('#unread-badge', { hasText: new RegExp(`^${count}$`) }).waitFor({ timeout });
}

/** The ids of the notifications shown, top to bottom. */
export function shownIds(page: Page): Promise<string[]> {
  return page.locator('#feed > li').evaluateAll((items) => items.map((item) => item.getAttribute('data-id') ?? ''));
}
