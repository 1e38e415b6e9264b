// Uses Herald's public types the way an app does. The consumer test copies this file to
// types.mts (an ES module), types.cts (CommonJS) and types.ts (for bundlers) and runs
// `tsc --noEmit` on each under the module settings an app would use; `@ts-expect-error`
// lines prove the types are real (a package typed as `any` would fail them).
import { createNotificationService, HeraldError, type NotificationService, type StoredNotification, type Transport } from '@herald/core';
import { defineStore, type NotificationStore, type StoreImplementation } from '@herald/core/store';
import { TransportError, type TransportMessage } from '@herald/core/transport';
import { createHttpHandler, developmentAuthenticator, type HttpHandler } from '@herald/http';
import { createFileStore, type FileStoreOptions } from '@herald/store-file';
import { createMemoryStore } from '@herald/store-memory';
import { MemoryState } from '@herald/store-memory/engine';
import { createPostgresStore, migratePostgresStore, type PostgresStoreOptions } from '@herald/store-postgres';
import { createRedisStore, type RedisStoreOptions } from '@herald/store-redis';
import { createTestService, heraldMatchers, type TestService } from '@herald/testing';
import { createConsoleTransport } from '@herald/transport-console';
import { createWebhookTransport, verifyWebhook, type WebhookTransportOptions } from '@herald/transport-webhook';
import { createWebPushTransport, generateVapidKeys, type WebPushBody, type WebPushTransportOptions } from '@herald/transport-webpush';

const delivered: string[] = [];
const recording: Transport = {
  name: 'recording',
  async send(message, endpoint) {
    delivered.push(`${endpoint.address}: ${message.notification.appNotificationId}`);
  },
};

export function makeService(): NotificationService {
  return createNotificationService({ store: createMemoryStore(), transports: [recording, createConsoleTransport(), createWebhookTransport()] });
}

export async function firstTitle(service: NotificationService, userId: string): Promise<string | undefined> {
  const page = await service.feed.list(userId, { unread: true });
  const first: StoredNotification | undefined = page.items[0];
  return first?.payload.visualContent?.title;
}

export function codeOf(error: unknown): string | undefined {
  return error instanceof HeraldError ? error.code : undefined;
}

export const handler: HttpHandler = createHttpHandler(makeService(), { authenticate: developmentAuthenticator });
export const fileOptions: FileStoreOptions = { directory: './.herald-data' };
export const openFileStore = () => createFileStore(fileOptions);
export const redisOptions: Partial<RedisStoreOptions> = {};
export const openRedisStore = createRedisStore;
export const postgresOptions: PostgresStoreOptions = { connectionString: 'postgres://127.0.0.1/app', schema: 'herald' };
export const openPostgresStore = () => createPostgresStore(postgresOptions);
export const migratePostgres = () => migratePostgresStore(postgresOptions);
export const webhookOptions: WebhookTransportOptions = { timeoutMs: 5_000 };
export const verify = verifyWebhook;
export const webpushOptions: WebPushTransportOptions = { vapid: { subject: 'mailto:push@example.com', ...generateVapidKeys() } };
export const webpush = (): Transport => createWebPushTransport(webpushOptions);
export const bodyTitle = (body: WebPushBody): string | undefined => body.title;
export const engine = MemoryState;
export const matchers = heraldMatchers;
export const kit: () => Promise<TestService> = () => createTestService();

// A store author's kit: a store from its storage code.
export const storeOf = (implementation: StoreImplementation): NotificationStore => defineStore(implementation);
// A transport author's entry: the message and the error a transport raises.
export const refuse = (message: TransportMessage): never => {
  throw TransportError.permanent(`refused ${message.notification.appNotificationId}`);
};

export function misuses(service: NotificationService): void {
  // @ts-expect-error defineStore needs an implementation with every method
  void defineStore({ name: 'empty', capabilities: { durable: false, shared: false, wakeups: false, feedWakeups: false } });
  // @ts-expect-error a user id is a string
  void service.feed.list(42);
  // @ts-expect-error a transport has a name
  const nameless: Transport = { async send() {} };
  void nameless;
  // @ts-expect-error the PostgreSQL store's schema is a string
  void createPostgresStore({ connectionString: 'postgres://127.0.0.1/app', schema: 1 });
  // @ts-expect-error Web Push needs a VAPID identity
  void createWebPushTransport({});
}
