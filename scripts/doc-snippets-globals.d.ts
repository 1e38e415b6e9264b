/**
 * What the docs' TypeScript snippets take as the reader's own, for
 * scripts/check-doc-snippets.mjs: the service and store an app has already created, and
 * stand-ins for the app's own functions. Typed by Herald's real exports, so a snippet that
 * misuses them fails to compile. Herald's own functions are never declared here: a snippet
 * imports what it calls.
 */
declare const service: import('@herald/core').NotificationService;
declare const store: import('@herald/core').NotificationStore;
declare const transports: import('@herald/core').Transport[];
declare const notification: import('@herald/core').NotificationRequest;
declare const userId: string;
/** A request body, not yet validated. */
declare const body: unknown;
/** The app's own logger (pino's shape). */
declare const log: import('@herald/core').Logger;
/** The app's own metrics client. */
declare const metrics: { increment(name: string, tags?: Readonly<Record<string, string>>): void };
/** The app's own alerting. */
declare function alert(message: string): void;
/** The app's own session check. */
declare function yourSessionCheck(authorization: string | undefined): Promise<{ readonly id: string } | undefined>;
/** The receiving app's own way of showing a notification. */
declare function showNotification(notification: import('@herald/core').Notification): Promise<void>;
/** A receiver's signing secret, the request its framework handed it, and that request's exact bytes. */
declare const secret: string;
declare const request: import('node:http').IncomingMessage;
declare const rawBody: Buffer;
