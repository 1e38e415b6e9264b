/**
 * The sending process of the Redis runs: for each line on stdin it sends at once, and
 * the main process times the event at its client. `herald`: `service.send` through a
 * Redis store (the dispatcher off, as an API process); `bare`: a PUBLISH of the line on
 * a channel the anchor's server subscribes to.
 */
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { createNotificationService } from '@herald/core';
import { createRedisStore } from '@herald/store-redis';

export async function runSender(mode: string, url: string, prefix: string): Promise<void> {
  let send: (line: string) => Promise<unknown>;
  let close: () => Promise<unknown>;
  if (mode === 'herald') {
    const service = createNotificationService({ store: await createRedisStore({ url, prefix }), dispatcher: { autoStart: false } });
    send = (line) => service.send({ targetHostName: 'bench.example', appNotificationId: line, payload: { visualContent: { title: 'Bench', body: line } } }, { userId: 'alice' });
    close = () => service.close();
  } else {
    const redis = new Redis(url);
    send = (line) => redis.publish(`${prefix}:bare`, line);
    close = () => redis.quit();
  }
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) await send(line);
  await close();
}
