import pg from 'pg';
import { afterAll, beforeAll, it } from 'vitest';
import { createNotificationService, type NotificationService } from '@herald/core';
import { createPostgresStore } from '../src/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';

let server: PostgresServer;
let herald: NotificationService;
beforeAll(async () => {
  server = await startPostgresServer();
  const store = await createPostgresStore({ connectionString: server.connectionString, schema: 'probe', migrate: true });
  herald = createNotificationService({ store, transports: [{ name: 'push', async send() {} }], dispatcher: { autoStart: false } });
}, 60_000);
afterAll(async () => { await herald?.close(); await server?.stop(); });
function show(label: string, e: unknown) { const x = e as { code?: string; name?: string; message?: string }; console.log(label, '=>', x?.name, x?.code, String(x?.message).slice(0, 200)); }
async function attempt(label: string, f: () => Promise<unknown>) { try { const r = await f(); console.log(label, 'ok', JSON.stringify(r)?.slice(0, 150)); } catch (e) { show(label, e); } }

it('probes', async () => {
  const wide = (n: number) => '中'.repeat(n);
  const astral = (n: number) => '😀'.repeat(n);
  const host = 'a'.repeat(63) + '.' + 'b'.repeat(63) + '.' + 'c'.repeat(63) + '.' + 'd'.repeat(61);
  await attempt('sub wide', () => herald.subscriptions.create(wide(256), { targetHostName: host, platformType: 'windows', transport: 'push', address: wide(2000) }));
  await attempt('send wide', () => herald.send({ targetHostName: host, appNotificationId: wide(256), groupName: wide(256), payload: { visualContent: { title: wide(512), body: wide(4096) } } }, { userId: wide(256) }, { idempotencyKey: wide(255) }));
  await attempt('send idn host', () => herald.send({ targetHostName: 'ü'.repeat(60) + '.example', appNotificationId: 'x', payload: { visualContent: { title: 't', body: 'b' } } }, { userId: 'u' }));
  await attempt('list wide', async () => (await herald.feed.list(wide(256))).items.length);
  await attempt('unread wide', () => herald.feed.unreadCount(wide(256)));
  await attempt('send NUL payload', () => herald.send({ targetHostName: 'x.example', appNotificationId: 'nul', payload: { rawContent: 'a\u0000b\ud800c' } }, { userId: 'u' }));
  await attempt('read NUL payload', async () => { const l = (await herald.feed.list('u')).items; return l.map((n) => JSON.stringify(n.payload)); });
  await attempt('send 1MB', () => herald.send({ targetHostName: 'x.example', appNotificationId: 'big', payload: { rawContent: 'a'.repeat(1 << 20) } }, { userId: 'u' }));
  await attempt('idem NUL', () => herald.send({ targetHostName: 'x.example', appNotificationId: 'k', payload: { rawContent: 'a' } }, { userId: 'u' }, { idempotencyKey: 'a\u0000b' }));
  await attempt('groupName NUL', () => herald.send({ targetHostName: 'x.example', appNotificationId: 'k', groupName: 'a\u0000', payload: { rawContent: 'a' } }, { userId: 'u' }));
  await attempt('deleteGroup NUL', () => herald.feed.deleteGroup('u', 'a\u0000b'));
  await attempt('deleteGroup surrogate', () => herald.feed.deleteGroup('u', 'a\ud800b'));
  await attempt('sub statusReason', async () => { const s = await herald.subscriptions.create('u', { targetHostName: 'x.example', platformType: 'windows', transport: 'push', address: 'a\u0000\ud800' }); return s; });
  await attempt('list filter NUL', () => herald.feed.list('u', { groupName: 'a\u0000' } as never));
  await attempt('many subs', async () => { for (let i = 0; i < 300; i++) await herald.subscriptions.create('many', { targetHostName: 'x.example', platformType: 'windows', transport: 'push', address: `d${i}` }); return (await herald.send({ targetHostName: 'x.example', appNotificationId: 'm', payload: { rawContent: 'a' } }, { userId: 'many' })).deliveries.length; });
}, 120_000);
