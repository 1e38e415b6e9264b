/**
 * A webhook receiver in Express: the raw body is kept for the signature check, each
 * request is verified, and a delivery seen before (same `webhook-id`, a retry) is
 * acknowledged without being processed twice.
 */
import express, { type Express } from 'express';
import { verifyWebhook, WebhookVerificationError, type WebhookBody } from '@herald/transport-webhook';

export interface ReceiverOptions {
  /** The endpoint's signing secret(s), as given to its subscription. */
  readonly secret: string | readonly string[];
  /** What to do with each notification, once. */
  readonly onNotification: (body: WebhookBody, deliveryId: string) => void | Promise<void>;
}

export function createReceiverApp(options: ReceiverOptions): Express {
  // In production keep seen ids in Redis with a TTL longer than the retry schedule.
  const seen = new Set<string>();
  const app = express();
  // express.raw keeps the exact bytes: re-serialized JSON would not match the signature.
  app.post('/herald/webhooks', express.raw({ type: 'application/json', limit: '64kb' }), async (request, response) => {
    let verified;
    try {
      verified = verifyWebhook<WebhookBody>(options.secret, request.headers, request.body as Buffer);
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        response.status(401).json({ error: error.code });
        return;
      }
      throw error;
    }
    if (!seen.has(verified.id)) {
      await options.onNotification(verified.payload, verified.id);
      seen.add(verified.id);
    }
    response.status(204).end();
  });
  return app;
}
