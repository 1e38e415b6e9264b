/**
 * Web Push sends per second (encryption for each browser, a VAPID token, a TLS POST)
 * against the same run's webhook transport (an HMAC signature, a plain HTTP POST), both to
 * loopback receivers in another process, and against the encryption alone (web-push's
 * `generateRequestDetails` for the same message, no network): the floor every Web Push
 * sender pays, since RFC 8291 takes a new P-256 key pair and an ECDH per message. Each
 * transport figure is `transport.send` calls per second on 64 concurrent callers, one
 * keep-alive pool of 64 connections.
 */
import { spawn } from 'node:child_process';
import { createECDH, randomBytes } from 'node:crypto';
import { Agent } from 'node:https';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Transport } from '@herald/core/transport';
import { rate, report, type BenchResult } from '@herald/bench-support';
import { sampleEndpoint, sampleMessage } from '@herald/testing';
import { createWebhookTransport, generateWebhookSecret } from '@herald/transport-webhook';
import { createWebPushTransport, generateVapidKeys } from '@herald/transport-webpush';

const json = process.argv.includes('--json');
const sends = Number(process.env['BENCH_SENDS'] ?? 5_000);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const concurrency = 64;

const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./receivers.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
const { pushPort, hookPort, cert } = JSON.parse(
  await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the receivers exited (${code})`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  }),
) as { pushPort: number; hookPort: number; cert: string };

const agent = new Agent({ ca: cert, keepAlive: true, maxSockets: concurrency });
// Loopback is allowed in this benchmark only: the receivers are its own.
const loopback = ['127.0.0.1'];
const browser = createECDH('prime256v1');
const subscription = JSON.stringify({
  endpoint: `https://127.0.0.1:${pushPort}/push/bench`,
  keys: { p256dh: browser.generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') },
});
const message = sampleMessage({}, Date.now());
const context = { signal: new AbortController().signal, now: Date.now() };

/** `transport.send` calls per second to `address`, on {@link concurrency} callers. */
function sender(transport: Transport, address: string, secret?: string): () => Promise<number> {
  const endpoint = sampleEndpoint({ address, platformType: 'webpush', ...(secret === undefined ? {} : { secret }) });
  return () => rate(sends, concurrency, () => transport.send(message, endpoint, context));
}

/** The median of `values`. */
const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const webPush = createRequire(import.meta.url)('web-push') as {
  generateRequestDetails(subscription: unknown, payload: string, options: Record<string, unknown>): unknown;
};

/** web-push's request building for the message (encryption and headers), per second, in this process. */
function encryptionsPerSecond(): number {
  const { endpoint, keys } = JSON.parse(subscription) as { endpoint: string; keys: unknown };
  const plaintext = JSON.stringify({ id: message.notification.id, deliveryId: message.deliveryId, kind: message.kind, app: message.notification.targetHostName, appNotificationId: message.notification.appNotificationId, ...message.notification.payload.visualContent });
  const build = () => webPush.generateRequestDetails({ endpoint, keys }, plaintext, { vapidDetails: null, TTL: 60, urgency: 'high', contentEncoding: 'aes128gcm' });
  const started = performance.now();
  for (let i = 0; i < sends; i += 1) build();
  return sends / ((performance.now() - started) / 1000);
}

const webhookTransport = createWebhookTransport({ allowedNetworks: loopback, maxSockets: concurrency });
const webpushTransport = createWebPushTransport({ vapid: { subject: 'mailto:bench@example.com', ...generateVapidKeys() }, agent, allowedNetworks: loopback });
try {
  const figures = {
    webhook: sender(webhookTransport, `http://127.0.0.1:${hookPort}/hook`, generateWebhookSecret()),
    webpush: sender(webpushTransport, subscription),
    encryption: async () => encryptionsPerSecond(),
  };
  // Rounds in turn, medians kept: a machine whose load changes during the run moves all
  // three figures alike instead of the last one measured. The first round warms up.
  const measured: Record<keyof typeof figures, number[]> = { webhook: [], webpush: [], encryption: [] };
  for (let round = 0; round <= rounds; round += 1) {
    for (const [name, measure] of Object.entries(figures) as [keyof typeof figures, () => Promise<number>][]) {
      const value = await measure();
      if (round > 0) measured[name].push(value);
    }
  }
  const webhook = median(measured.webhook);
  const webpush = median(measured.webpush);
  const encryption = median(measured.encryption);
  const row = (anchor: string, anchorValue: number, target: string, floor: number): BenchResult => ({
    scenario: `Web Push sends (aes128gcm + VAPID, TLS to a loopback push service, ${concurrency} concurrent)`,
    unit: 'sends/s',
    herald: webpush,
    anchor,
    anchorValue,
    ratio: webpush / anchorValue,
    target,
    higherIsBetter: true,
    met: webpush / anchorValue >= floor,
  });
  report(
    [
      row('the webhook transport in the same run (HMAC, plain HTTP to a loopback receiver)', webhook, '>= 0.2x the webhook transport (bound by the per-message ECDH)', 0.2),
      row('web-push encrypting the same message alone, no network (the floor of any Web Push sender)', encryption, '>= 0.7x the encryption alone', 0.7),
    ],
    json,
  );
} finally {
  await webhookTransport.close?.();
  await webpushTransport.close?.();
  agent.destroy();
  child.kill();
}
