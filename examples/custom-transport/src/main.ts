import { createSseDemo } from './server.js';

const port = Number(process.env['PORT'] ?? 3001);
const demo = createSseDemo();
demo.server.listen(port, '127.0.0.1', () => {
  console.log(`SSE demo on http://127.0.0.1:${port}
  1. curl -N 'http://127.0.0.1:${port}/events?address=tab-1'
  2. curl -X POST 'http://127.0.0.1:${port}/subscribe?user=alice' -d '{"targetHostName":"app.example","platformType":"webpush","transport":"sse","address":"tab-1"}'
  3. curl -X POST 'http://127.0.0.1:${port}/send?user=alice' -d '{"targetHostName":"app.example","appNotificationId":"n1","payload":{"visualContent":{"title":"Hi"}}}'`);
});
process.on('SIGINT', () => void demo.close().then(() => process.exit(0)));
