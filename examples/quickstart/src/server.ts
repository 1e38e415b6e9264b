/**
 * The quickstart in server mode: Herald's HTTP API on node:http with the memory store
 * (or `--store file|redis`), the console and webhook transports, and the development
 * authenticator, which signs in `Authorization: Bearer <name>` as `<name>`: for
 * development only, never where anyone else can reach the server. The inbox page
 * (examples/inbox) is at `/inbox/`. With `webpush`, the Web Push transport too, its VAPID
 * public key at `GET /webpush/vapid-public-key`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNotificationService, type NotificationService, type NotificationStore } from '@herald/core';
import { createHttpHandler, developmentAuthenticator } from '@herald/http';
import { createFileStore } from '@herald/store-file';
import { createMemoryStore } from '@herald/store-memory';
import { createRedisStore } from '@herald/store-redis';
import { createConsoleTransport } from '@herald/transport-console';
import { createWebhookTransport } from '@herald/transport-webhook';
import { createWebPushTransport } from '@herald/transport-webpush';
import { serveInboxPage } from './inbox-page.js';
import { loadOrCreateVapidKeys } from './vapid-keys.js';
import { serveVapidPublicKey } from './vapid-route.js';

/** The stores the server can run on. */
export const storeKinds = ['memory', 'file', 'redis'] as const;
/** A store the server can run on. */
export type StoreKind = (typeof storeKinds)[number];

export interface QuickstartServerOptions {
  /** The port; 0 picks a free one. */
  readonly port: number;
  /** The store. */
  readonly store: StoreKind;
  /** The file store's directory, and where `webpush` keeps its VAPID keys. */
  readonly dataDirectory?: string;
  /**
   * Send Web Push too: VAPID keys made in the data directory on the first run, reused
   * after; `subject` is the VAPID contact.
   */
  readonly webpush?: { readonly subject: string };
  /** The Redis store's URL. */
  readonly redisUrl?: string;
  /** Where the console transport writes. */
  readonly output?: NodeJS.WritableStream;
}

export interface QuickstartServer {
  readonly server: Server;
  readonly service: NotificationService;
  readonly url: string;
  close(): Promise<void>;
}

async function openStore(options: QuickstartServerOptions): Promise<NotificationStore> {
  switch (options.store) {
    case 'memory':
      return createMemoryStore();
    case 'file':
      return createFileStore({ directory: dataDirectory(options) });
    case 'redis':
      return createRedisStore({ url: options.redisUrl ?? 'redis://127.0.0.1:6379' });
  }
}

const dataDirectory = (options: QuickstartServerOptions): string => options.dataDirectory ?? '.herald-data';

/** Starts the server and resolves once it listens. */
export async function startQuickstartServer(options: QuickstartServerOptions): Promise<QuickstartServer> {
  const vapid = options.webpush === undefined ? undefined : { subject: options.webpush.subject, ...(await loadOrCreateVapidKeys(dataDirectory(options))) };
  const service = createNotificationService({
    store: await openStore(options),
    transports: [
      createConsoleTransport(options.output === undefined ? {} : { stream: options.output }),
      // Loopback receivers are allowed in this example only, so a webhook receiver on the
      // same machine can be tried out; by default the transport refuses them.
      createWebhookTransport({ allowedNetworks: ['127.0.0.0/8', '::1'] }),
      // Browsers' push services are public: the guard's defaults stand.
      ...(vapid === undefined ? [] : [createWebPushTransport({ vapid })]),
    ],
  });
  const handler = createHttpHandler(service, { authenticate: developmentAuthenticator });
  // The inbox page at /inbox/ (examples/inbox), the VAPID public key; every other path is the API's.
  const server = createServer((request, response) => {
    if (serveVapidPublicKey(request, response, vapid?.publicKey)) return;
    void serveInboxPage(request, response).then(
      (served) => (served ? undefined : handler(request, response)),
      (error: unknown) => {
        process.stderr.write(`[herald] [quickstart] the inbox page failed: ${String(error)}\n`);
        if (!response.headersSent) response.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    service,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
    },
  };
}
