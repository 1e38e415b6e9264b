/**
 * `pnpm start` (PORT=3000 by default; `-- --store file|redis`; `-- --webpush` for Web
 * Push, VAPID_SUBJECT its contact; HERALD_DATA_DIR for the file store and the VAPID keys,
 * REDIS_URL for Redis).
 */
import { startQuickstartServer, storeKinds, type StoreKind } from './server.js';

const flag = process.argv.indexOf('--store');
const store = (flag === -1 ? 'memory' : process.argv[flag + 1]) as StoreKind;
if (!storeKinds.includes(store)) {
  process.stderr.write(`--store must be one of ${storeKinds.join(', ')}\n`);
  process.exit(2);
}
const port = Number(process.env['PORT'] ?? 3000);
const webpush = process.argv.includes('--webpush') ? { subject: process.env['VAPID_SUBJECT'] ?? 'mailto:herald-quickstart@example.com' } : undefined;
const server = await startQuickstartServer({
  port,
  store,
  ...(webpush === undefined ? {} : { webpush }),
  ...(process.env['HERALD_DATA_DIR'] === undefined ? {} : { dataDirectory: process.env['HERALD_DATA_DIR'] }),
  ...(process.env['REDIS_URL'] === undefined ? {} : { redisUrl: process.env['REDIS_URL'] }),
});
process.stdout.write(`Herald on ${server.url} (${store} store${webpush === undefined ? '' : ', Web Push'}). For development only: "Authorization: Bearer <name>" signs in as <name>.
  subscribe:  curl -s ${server.url}/me/notifications/subscriptions -H 'Authorization: Bearer alice' -H 'Content-Type: application/json' \\
                -d '{"targetHostName":"graphnotifications.sample.windows.com","platformType":"windows","transport":"console","address":"alice-pc"}'
  send:       curl -i ${server.url}/me/notifications -H 'Authorization: Bearer app-server' -H 'Content-Type: application/json' -H 'X-UNS-ID: <id>' \\
                -d '{"targetHostName":"graphnotifications.sample.windows.com","appNotificationId":"hello","payload":{"visualContent":{"title":"Hello World!"}}}'
  read:       curl -s ${server.url}/me/notifications -H 'Authorization: Bearer alice'
  inbox page: ${server.url}/inbox/
${webpush === undefined ? '' : `  VAPID key:  ${server.url}/webpush/vapid-public-key (the keys are in ${process.env['HERALD_DATA_DIR'] ?? '.herald-data'}/vapid.json)\n`}  API:        ${server.url}/openapi.json
`);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
