import { generateWebhookSecret } from '@herald/transport-webhook';
import { createReceiverApp } from './receiver.js';

const secret = process.env['WEBHOOK_SECRET'] ?? generateWebhookSecret();
const port = Number(process.env['PORT'] ?? 3002);
const app = createReceiverApp({
  secret,
  onNotification: (body, id) => console.log(`${body.type} ${id}: ${body.data.payload.visualContent?.title ?? body.data.payload.rawContent ?? ''}`),
});
app.listen(port, '127.0.0.1', () => console.log(`receiving on http://127.0.0.1:${port}/herald/webhooks with secret ${secret}`));
