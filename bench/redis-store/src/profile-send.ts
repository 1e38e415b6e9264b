/**
 * Herald's side of the send benchmark alone, for profiling:
 * `node --cpu-prof --import tsx src/profile-send.ts [sends]` writes a .cpuprofile of the
 * bench process (open it in Chrome DevTools, or sum self time by function). Redis's side
 * shows in `INFO commandstats` and `SLOWLOG` of the server it prints.
 */
import { Redis } from 'ioredis';
import { heraldSends } from './herald-sends.js';
// The redis-server helper of the Redis store's tests: free loopback port, no persistence.
import { startRedisServer } from '../../../packages/store-redis/test/redis-server.js';

const total = Number(process.argv[2] ?? 30_000);
const redis = await startRedisServer();
const admin = new Redis(redis.url);
try {
  process.stderr.write(`redis-server on ${redis.url}\n`);
  const { perSecond, cost } = await heraldSends(redis.url, admin, total, 5_000);
  process.stdout.write(`${Math.round(perSecond)} notifications/s, Redis ${cost.redisUs.toFixed(1)} µs and Node ${cost.nodeUs.toFixed(1)} µs CPU per send\n`);
} finally {
  admin.disconnect();
  await redis.destroy();
}
