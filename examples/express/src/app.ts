/**
 * An existing Express app with its own routes and its own authentication, with Herald's
 * API mounted at /graph. The app's session middleware decides who is signed in; Herald's
 * `authenticate` hook only reads what it found.
 */
import express, { type Express, type Request } from 'express';
import { createNotificationService, type NotificationService } from '@herald/core';
import { createHttpHandler } from '@herald/http';
import { createMemoryStore } from '@herald/store-memory';
import { createConsoleTransport } from '@herald/transport-console';

/** Stand-in for the app's real session check (a cookie, a JWT, …). */
const sessions = new Map([
  ['token-alice', 'alice'],
  ['token-backend', 'backend'],
]);

export function createApp(service: NotificationService = createNotificationService({ store: createMemoryStore(), transports: [createConsoleTransport()] })): Express {
  const app = express();
  // The app parses JSON for its own routes, in front of everything: Herald takes the body
  // express.json() already parsed (see docs/http.md, "A body read before Herald").
  app.use(express.json());

  // The app's own authentication: it runs before Herald's routes.
  app.use((request, _response, next) => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    (request as Request & { user?: string }).user = token === undefined ? undefined : sessions.get(token);
    next();
  });

  app.get('/api/hello', (_request, response) => {
    response.json({ hello: 'world' });
  });

  app.post('/api/echo', (request, response) => {
    response.json({ echo: request.body as unknown });
  });

  app.use(
    '/graph',
    createHttpHandler(service, {
      authenticate: (request) => {
        const user = (request as Request & { user?: string }).user;
        return user === undefined ? undefined : { id: user };
      },
    }),
  );
  return app;
}
