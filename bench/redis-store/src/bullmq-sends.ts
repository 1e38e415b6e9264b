/**
 * The BullMQ anchors of the send benchmark, on the same Redis:
 * (b) what an application builds with BullMQ instead of Herald: per notification, the
 *     notification record written (one hash: the request as JSON, its user, app,
 *     state and times) and its three delivery jobs added with `Queue.addBulk`;
 * (c) `Queue.add` of one job per notification (the request and its user), a reference
 *     for the cost of one BullMQ job.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { measuredRate, type SideFigures } from './cpu-meter.js';
import { platforms, referenceRequest, senders, userOf } from './reference.js';

/** The name of the queue every BullMQ side uses. */
export const benchQueueName = 'bench-deliveries';

/** The queue every BullMQ side uses, on the loopback Redis at `port`. */
export function benchQueue(port: number): Queue {
  return new Queue(benchQueueName, { connection: { host: '127.0.0.1', port } });
}

/**
 * The jobs of one notification: one per endpoint of its user, as a user of BullMQ
 * would plan them (its record's id, the endpoint, the transport).
 */
export function deliveryJobs(userId: string, notificationId: string): { name: string; data: Record<string, string> }[] {
  return platforms.map((platform) => ({ name: 'delivery', data: { userId, notificationId, subscriptionId: `${userId}-${platform}`, transport: 'noop', platform } }));
}

/** Anchor (b): `total` notifications written with their three jobs, after `warmup`. */
export async function bullmqRecordAndJobs(port: number, admin: Redis, total: number, warmup: number): Promise<SideFigures> {
  const queue = benchQueue(port);
  const records = new Redis(port, '127.0.0.1');
  try {
    await queue.waitUntilReady();
    const send = (tag: string) => async (index: number) => {
      const userId = userOf(index);
      const request = referenceRequest(`${tag}-${index}`);
      const id = randomUUID();
      const now = new Date().toISOString();
      await records.hset(`notes:${userId}:${id}`, { id, userId, host: request.targetHostName, app: request.appNotificationId, body: JSON.stringify(request), created: now, modified: now, readState: 'unread' });
      await queue.addBulk(deliveryJobs(userId, id));
    };
    await measuredRate(admin, warmup, senders, send('warm'));
    return await measuredRate(admin, total, senders, send('n'));
  } finally {
    records.disconnect();
    await queue.close();
  }
}

/** Anchor (c): `total` single `Queue.add` calls after `warmup`. */
export async function bullmqAdds(port: number, admin: Redis, total: number, warmup: number): Promise<SideFigures> {
  const queue = benchQueue(port);
  try {
    await queue.waitUntilReady();
    const add = (tag: string) => (index: number) => queue.add('notification', { userId: userOf(index), request: referenceRequest(`${tag}-${index}`) });
    await measuredRate(admin, warmup, senders, add('warm'));
    return await measuredRate(admin, total, senders, add('n'));
  } finally {
    await queue.close();
  }
}
