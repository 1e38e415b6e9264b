/**
 * The quickstart's `--webpush`: VAPID keys made in the data directory on the first run
 * and reused after, the public key at GET /webpush/vapid-public-key (404 without Web
 * Push), and browsers' PushSubscriptions accepted through the API. Nothing is pushed.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { useLoopbackOnly } from '@herald/testing';
import { startQuickstartServer, type QuickstartServer, type QuickstartServerOptions } from '../src/server.js';

useLoopbackOnly();

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function directory(): Promise<string> {
  const made = await mkdtemp(join(tmpdir(), 'herald-quickstart-webpush-'));
  cleanups.push(() => rm(made, { recursive: true, force: true }));
  return made;
}

async function start(options: Partial<QuickstartServerOptions>): Promise<QuickstartServer> {
  const server = await startQuickstartServer({ port: 0, store: 'memory', output: new PassThrough(), ...options });
  cleanups.push(() => server.close());
  return server;
}

const webpush = { subject: 'mailto:push@example.com' };

async function publicKey(server: QuickstartServer): Promise<string> {
  const response = await fetch(`${server.url}/webpush/vapid-public-key`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  return ((await response.json()) as { publicKey: string }).publicKey;
}

describe('the quickstart with --webpush', () => {
  it('makes VAPID keys in the data directory on the first run, readable by its owner only, and reuses them after', async () => {
    const dataDirectory = await directory();
    const first = await start({ webpush, dataDirectory });
    const key = await publicKey(first);
    expect(Buffer.from(key, 'base64url')).toHaveLength(65);
    expect((await stat(join(dataDirectory, 'vapid.json'))).mode & 0o777).toBe(0o600);
    await first.close();
    const second = await start({ webpush, dataDirectory });
    expect(await publicKey(second)).toBe(key);
    const elsewhere = await start({ webpush, dataDirectory: await directory() });
    expect(await publicKey(elsewhere)).not.toBe(key);
  });

  it('refuses to start on a damaged vapid.json instead of replacing the keys', async () => {
    const dataDirectory = await directory();
    await writeFile(join(dataDirectory, 'vapid.json'), '{"publicKey":');
    await expect(startQuickstartServer({ port: 0, store: 'memory', webpush, dataDirectory })).rejects.toThrow(/cannot read the VAPID keys in .*vapid\.json.*fix or remove the file/);
  });

  it('accepts a browser’s PushSubscription through the API and refuses one that is not', async () => {
    const server = await start({ webpush, dataDirectory: await directory() });
    const ecdh = createECDH('prime256v1');
    const keys = { p256dh: ecdh.generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') };
    const subscribe = (endpoint: string) =>
      fetch(`${server.url}/me/notifications/subscriptions`, {
        method: 'POST',
        headers: { authorization: 'Bearer alice', 'content-type': 'application/json' },
        body: JSON.stringify({ targetHostName: 'chat.example.com', platformType: 'webpush', transport: 'webpush', address: JSON.stringify({ endpoint, expirationTime: null, keys }) }),
      });
    expect((await subscribe('https://updates.push.services.mozilla.com/wpush/v2/gAAAAABl')).status).toBe(201);
    const refused = await subscribe('http://updates.push.services.mozilla.com/wpush/v2/gAAAAABl');
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toMatch(/INVALID_ENDPOINT.*must be an https URL/);
  });

  it.each([
    ['without --webpush', false, 'GET', 404, /start it with --webpush/],
    ['for another method', true, 'POST', 405, /answers GET and HEAD/],
  ] as const)('answers the key’s path %s with %s', async (_case, withWebpush, method, status, text) => {
    const server = await start(withWebpush ? { webpush, dataDirectory: await directory() } : {});
    const response = await fetch(`${server.url}/webpush/vapid-public-key`, { method });
    expect(response.status).toBe(status);
    expect(await response.text()).toMatch(text);
  });
});
