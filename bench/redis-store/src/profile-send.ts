/**
 * Herald's side of the send benchmark alone, for profiling:
 * `node --cpu-prof --import tsx src/profile-send.ts [sends]` writes a .cpuprofile of the
 * bench process (open it in Chrome DevTools, or sum self time by function). Redis's side
 * shows in `INFO commandstats` and `SLOWLOG` of the server it prints.
 */
import { heraldSends } from './herald-sends.js';
// The redis-server helper of the Redis store's tests: free loopback port, no persistence.
import { startRedisServer } from '../../../packages/store-redis/test/redis-server.js';

const total = Number(process.argv[2] ?? 30_000);
const redis = await startRedisServer();
try {
  process.stderr.write(`redis-server on ${redis.url}\n`);
  process.stdout.write(`${Math.round(await heraldSends(redis.url, total, 5_000))} notifications/s\n`);
} finally {
  await redis.destroy();
}
