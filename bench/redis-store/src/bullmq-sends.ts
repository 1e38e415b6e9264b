/**
 * Anchor (a): BullMQ, the usual Redis job queue in Node. One `Queue.add` per
 * notification, of the same JSON payload (the request and its user): one atomic script
 * per job that stores the job hash, puts it on the wait list and appends an event to the
 * queue's event stream. One job per notification, where Herald stores the notification
 * and three deliveries.
 */
import { Queue } from 'bullmq';
import { rate } from '@herald/bench-support';
import { referenceRequest, senders, userOf } from './reference.js';

/** Adds `total` jobs with `senders` concurrent adders after `warmup` ones; returns adds per second. */
export async function bullmqAdds(port: number, total: number, warmup: number): Promise<number> {
  const queue = new Queue('bench-notifications', { connection: { host: '127.0.0.1', port } });
  try {
    await queue.waitUntilReady();
    const add = (tag: string) => (index: number) => queue.add('notification', { userId: userOf(index), request: referenceRequest(`${tag}-${index}`) });
    await rate(warmup, senders, add('warm'));
    return await rate(total, senders, add('n'));
  } finally {
    await queue.close();
  }
}
