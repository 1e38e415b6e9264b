'use strict';
// What an app does with Herald, shared by app.mjs (which loads Herald with `import`) and
// app.cjs (with `require()`): the two differ only in how they load the packages, and each
// hands every entry point it loaded to `run`.
const assert = require('node:assert/strict');
const { mkdtemp, rm, writeFile } = require('node:fs/promises');
const { createServer } = require('node:http');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { PassThrough } = require('node:stream');

/** Subscribes alice's phone, sends her one notification, and lets the dispatcher deliver it. */
async function sendAndDeliver(herald, store) {
  const printed = [];
  const stream = new PassThrough();
  stream.on('data', (chunk) => printed.push(String(chunk)));
  const service = herald.core.createNotificationService({
    store,
    transports: [herald.transportConsole.createConsoleTransport({ stream })],
    dispatcher: { autoStart: false },
  });
  await service.subscriptions.create('alice', { targetHostName: 'chat.example.com', platformType: 'android', transport: 'console', address: 'alice-phone' });
  const { notification, created } = await service.send(
    { targetHostName: 'chat.example.com', appNotificationId: 'message-1017', payload: { visualContent: { title: 'Bob', body: 'Lunch at noon?' } } },
    { userId: 'alice' },
  );
  assert.equal(created, true);
  service.start();
  await service.drain();
  const deliveries = await service.deliveries.list('alice', notification.id);
  assert.deepEqual(deliveries.map((delivery) => delivery.status), ['delivered']);
  assert.match(printed.join(''), /android endpoint of alice \(alice-phone\): “Bob” — Lunch at noon\?/);
  return service;
}

/** Asks the HTTP API for alice's feed over loopback. */
async function feedOverHttp(herald, service) {
  const handler = herald.http.createHttpHandler(service, { authenticate: herald.http.developmentAuthenticator });
  const server = createServer((request, response) => void handler(request, response));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${server.address().port}/me/notifications`, { headers: { authorization: 'Bearer alice' } });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.deepEqual(body.value.map((item) => item.appNotificationId), ['message-1017']);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function run(herald, say) {
  // Every entry point loaded and exports something, whatever this script did not use.
  for (const [name, entry] of Object.entries(herald)) assert.ok(Object.keys(entry).length > 0, `${name} exports nothing`);

  const memoryService = await sendAndDeliver(herald, herald.storeMemory.createMemoryStore());
  say('memory store + console transport: sent and delivered');
  await feedOverHttp(herald, memoryService);
  say('HTTP API: GET /me/notifications over loopback answered the feed');
  await memoryService.close();

  const scratch = await mkdtemp(join(tmpdir(), 'herald-app-'));
  try {
    const fileService = await sendAndDeliver(herald, await herald.storeFile.createFileStore({ directory: join(scratch, 'store') }));
    await fileService.close();
    say('file store + console transport: sent and delivered');

    // One copy of every module, whichever way it was loaded: an error made by the file
    // store is an instance of the HeraldError class this script got from @herald/core.
    const inTheWay = join(scratch, 'a-file');
    await writeFile(inTheWay, '');
    const refused = await herald.storeFile.createFileStore({ directory: inTheWay }).then(() => undefined, (error) => error);
    assert.ok(refused instanceof herald.core.HeraldError, `expected a HeraldError, got ${refused}`);
    say(`file store's ${refused.code} is an instance of @herald/core's HeraldError`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  const secret = herald.transportWebhook.generateWebhookSecret();
  assert.ok(secret.startsWith(herald.transportWebhook.secretPrefix));
  assert.equal(typeof herald.storeRedis.createRedisStore, 'function');
  assert.equal(typeof herald.storePostgres.createPostgresStore, 'function');
  assert.equal(typeof herald.storePostgres.migratePostgresStore, 'function');
  assert.equal(typeof herald.testing.createTestService, 'function');
  assert.equal(typeof herald.storeMemoryEngine.MemoryState, 'function');
  // Each audience's entry: the kit for store authors, the error for transport authors, neither in the app's.
  assert.equal(typeof herald.coreStore.defineStore, 'function');
  assert.equal(typeof herald.coreTransport.TransportError, 'function');
  assert.equal(herald.core.defineStore, undefined);
  assert.equal(herald.core.TransportError, undefined);
  say('webhook transport, Redis and PostgreSQL stores, test kit and the memory engine loaded');

  // Web Push: web-push (CommonJS) loads inside the ES module package, keys check out.
  const vapid = { subject: 'mailto:push@example.com', ...herald.transportWebpush.generateVapidKeys() };
  const webpush = herald.transportWebpush.createWebPushTransport({ vapid });
  assert.equal(webpush.name, 'webpush');
  await webpush.close();
  say('Web Push transport created with new VAPID keys');
}

module.exports = { run };
