/**
 * The deadlines of the bodies being read, on one timer per handler: every read not ended
 * expires, once, no sooner than its timeout after it started, in the order the reads
 * started; a read that ended never expires, whatever the order reads end in. Over HTTP,
 * slow bodies started at different times each get their 408 while quick ones between
 * them are answered, and a timeout past a Node timer's longest delay is kept, not cut to
 * 1 ms.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyDeadlines } from '../src/body-deadlines.js';
import { referenceBody, startApi, type Api } from './support.js';

// Long beside the gaps between starts, so a slow machine does not expire a read before the test ends it.
const timeoutMs = 150;

interface Schedule {
  readonly name: string;
  /** Milliseconds between the starts of the reads. */
  readonly gapMs: number;
  readonly reads: number;
  /** The reads that end before their deadline, in the order they end. */
  readonly ended: readonly number[];
}

const schedules: readonly Schedule[] = [
  { name: 'none ended', gapMs: 5, reads: 4, ended: [] },
  { name: 'all ended, first to last', gapMs: 5, reads: 4, ended: [0, 1, 2, 3] },
  { name: 'all ended, last to first', gapMs: 5, reads: 4, ended: [3, 2, 1, 0] },
  { name: 'the first ended (the head of the queue)', gapMs: 5, reads: 4, ended: [0] },
  { name: 'the last ended (the tail)', gapMs: 5, reads: 4, ended: [3] },
  { name: 'the middle ones ended', gapMs: 5, reads: 5, ended: [2, 1, 3] },
  { name: 'every other one ended', gapMs: 3, reads: 6, ended: [4, 0, 2] },
  { name: 'reads started together', gapMs: 0, reads: 4, ended: [1] },
  { name: 'reads started further apart than the timeout (the queue empties in between)', gapMs: 160, reads: 3, ended: [2] },
];

describe('BodyDeadlines', () => {
  it.each(schedules)('$name', async ({ gapMs, reads, ended }) => {
    const deadlines = new BodyDeadlines(timeoutMs);
    const started: number[] = [];
    const expired: Array<{ read: number; afterMs: number }> = [];
    const waits = [];
    for (let read = 0; read < reads; read += 1) {
      if (read > 0 && gapMs > 0) await sleep(gapMs);
      started.push(performance.now());
      waits.push(deadlines.start(() => expired.push({ read, afterMs: performance.now() - (started[read] as number) })));
    }
    for (const read of ended) {
      const wait = waits[read];
      if (wait === undefined) throw new Error(`no read ${read}`);
      // Ending it twice (the read's end after its error, say) changes nothing.
      deadlines.end(wait);
      deadlines.end(wait);
    }
    await sleep(timeoutMs + 60);
    const expected = [...Array(reads).keys()].filter((read) => !ended.includes(read));
    expect(expired.map(({ read }) => read)).toEqual(expected);
    for (const { afterMs } of expired) expect(afterMs).toBeGreaterThanOrEqual(timeoutMs - 1);
    // Nothing expires later either, and a read ended after it expired is left as it is.
    for (const wait of waits) deadlines.end(wait);
    await sleep(timeoutMs);
    expect(expired).toHaveLength(expected.length);
  });

  it('keeps a timeout past the longest delay of a Node timer', async () => {
    const deadlines = new BodyDeadlines(2 ** 31);
    let expired = false;
    const wait = deadlines.start(() => {
      expired = true;
    });
    await sleep(30);
    expect(expired).toBe(false);
    deadlines.end(wait);
  });
});

describe('body timeouts over HTTP', () => {
  let api: Api;
  let unsId: string;
  beforeAll(async () => {
    api = await startApi({ bodyTimeoutMs: 150 });
    unsId = await api.subscribe('alice');
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers each slow body 408 and the quick ones between them 201', async () => {
    let sent = 0;
    const post = (trickle?: { pieces: number; pauseMs: number }) =>
      api.call('POST', '/me/notifications', {
        headers: { authorization: 'Bearer app', 'x-uns-id': unsId },
        body: referenceBody({ appNotificationId: `deadline-${(sent += 1)}` }),
        ...(trickle === undefined ? {} : { trickle }),
      });
    const slow = { pieces: 8, pauseMs: 40 };
    const answers = [post(slow), sleep(50).then(() => post()), sleep(60).then(() => post(slow)), sleep(100).then(() => post())];
    const statuses = (await Promise.all(answers)).map((answer) => answer.status);
    expect(statuses).toEqual([408, 201, 408, 201]);
    expect(await api.service.feed.unreadCount('alice')).toBe(2);
  });

  it('keeps a bodyTimeoutMs past the longest delay of a Node timer (2^31 - 1 ms), instead of cutting every body after 1 ms', async () => {
    const patient = await startApi({ bodyTimeoutMs: 2 ** 31 });
    try {
      const id = await patient.subscribe('alice');
      const answer = await patient.call('POST', '/me/notifications', {
        headers: { authorization: 'Bearer app', 'x-uns-id': id },
        body: referenceBody(),
        trickle: { pieces: 4, pauseMs: 20 },
      });
      expect(answer.status).toBe(201);
    } finally {
      await patient.close();
    }
  });
});
