/**
 * An existing Fastify app with Herald's API registered under /graph. The app keeps its
 * own routes and JSON parsing; the plugin's scope reads its own bodies under Herald's limits.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { createNotificationService, type NotificationService } from '@herald/core';
import { developmentAuthenticator, heraldFastifyPlugin } from '@herald/http';
import { createMemoryStore } from '@herald/store-memory';
import { createConsoleTransport } from '@herald/transport-console';

export async function createApp(
  service: NotificationService = createNotificationService({ store: createMemoryStore(), transports: [createConsoleTransport()] }),
): Promise<FastifyInstance> {
  const app = Fastify();
  app.get('/api/hello', async () => ({ hello: 'world' }));
  // developmentAuthenticator signs in "Bearer <name>" as <name>: for development only.
  await app.register(heraldFastifyPlugin(service, { authenticate: developmentAuthenticator }), { prefix: '/graph' });
  app.addHook('onClose', () => service.close());
  return app;
}
