/**
 * The latency of a lone send: one `service.send` at a time through a service on the Redis
 * store, so no send ever waits for a batch to form. Group commit must not make it wait:
 *
 *   node --import tsx src/profile-lone-send.ts [sends]
 */
import { percentile, timeCalls } from '@herald/bench-support';
import { heraldService } from './herald-sends.js';
import { referenceRequest, userOf } from './reference.js';
// The redis-server helper of the Redis store's tests: free loopback port, no persistence.
import { startRedisServer } from '../../../packages/store-redis/test/redis-server.js';

const total = Number(process.argv[2] ?? 5_000);
const redis = await startRedisServer();
try {
  const { service } = await heraldService(redis.url);
  let index = 0;
  const samples = await timeCalls(() => service.send(referenceRequest(`lone-${index}`), { userId: userOf(index++) }), total, 500);
  process.stdout.write(`lone send: p50 ${percentile(samples, 50).toFixed(3)} ms, p99 ${percentile(samples, 99).toFixed(3)} ms over ${total} sequential sends\n`);
  await service.close();
} finally {
  await redis.destroy();
}
