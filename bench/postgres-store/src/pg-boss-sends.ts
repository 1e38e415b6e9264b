/**
 * Anchor (b): pg-boss, the usual PostgreSQL job queue in Node. One `send` per
 * notification, of the same JSON payload (the request and its user), to one queue: one
 * INSERT of a job row per notification, where Herald stores the notification and three
 * deliveries. pg-boss 10, the last major that runs on Node 20 (11 and 12 need Node 22);
 * its supervision and scheduling are off, so its side does only the sends.
 */
import PgBoss from 'pg-boss';
import { rate } from '@herald/bench-support';
import { connections, referenceRequest, senders, unmeasured, userOf, type Measured } from './reference.js';

/** Sends `total` jobs with `senders` concurrent senders after `warmup` ones (the measured part run by `measured`); returns sends per second. */
export async function pgBossSends(connectionString: string, schema: string, total: number, warmup: number, measured: Measured = unmeasured): Promise<number> {
  const boss = new PgBoss({ connectionString, schema, max: connections, supervise: false, schedule: false });
  boss.on('error', (error) => process.stderr.write(`pg-boss: ${String(error)}\n`));
  await boss.start();
  try {
    await boss.createQueue('notifications');
    const send = (tag: string) => async (index: number) => {
      const id = await boss.send('notifications', { userId: userOf(index), request: referenceRequest(`${tag}-${index}`) });
      if (id === null) throw new Error('pg-boss stored no job');
    };
    await rate(warmup, senders, send('warm'));
    return await measured(() => rate(total, senders, send('n')));
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}
