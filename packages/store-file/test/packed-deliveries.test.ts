/**
 * A snapshot's finished deliveries stay packed (their bytes, checked) until first asked
 * for (delivery-reading.ts). What must hold: the reader packs exactly the notifications
 * whose deliveries are all finished and reads the others one by one (with the string
 * table as if nothing had been looked ahead at); the restored state equals the original
 * and writes the same bytes whether or not anything was unpacked; damage in a packed
 * delivery is refused during the open, not at the first read; unpacked deliveries act
 * as restored ones (a retry revives a dead one).
 */
import { describe, expect, it } from 'vitest';
import { formatDateTime, type NewDelivery, type NewNotification } from '@herald/core/store';
import { captureImage, MemoryState, stateRestorer } from '@herald/store-memory/engine';
import type { StateRestorer } from '@herald/store-memory/engine';
import { ByteReader, ByteWriter } from '../src/binary-buffer.js';
import { writeImage } from '../src/snapshot-format.js';
import { ImageReader } from '../src/snapshot-reading.js';

const t0 = Date.parse('2026-01-01T00:00:00.000Z');

function note(id: string, userId: string): NewNotification {
  return {
    id,
    userId,
    targetHostName: 'app.example',
    appNotificationId: `a-${id}`,
    payload: { visualContent: { title: `title ${id}` } },
    expirationDateTime: formatDateTime(t0 + 86_400_000),
  };
}

function delivery(id: string, subscriptionId: string, kind: NewDelivery['kind'] = 'notification'): NewDelivery {
  return { id, subscriptionId, transport: 'webhook', platformType: 'ios', kind, nextAttemptAt: t0 };
}

/** Ends each claimed delivery of `engine` as `outcomes` says, by delivery id (the rest stay leased). */
function settle(engine: MemoryState, now: number, outcomes: Record<string, Parameters<MemoryState['completeDelivery']>[1]>): void {
  const claimed = engine.claimDeliveries({ owner: 'w', now, leaseMs: 1_000, limit: 100 }, Array.from({ length: 100 }, (_, i) => `token-${now}-${i}`));
  for (const { delivery: claim } of claimed) {
    const outcome = outcomes[claim.id];
    if (outcome !== undefined) engine.completeDelivery({ userId: claim.userId, deliveryId: claim.id, token: claim.lease.token }, outcome, now);
  }
}

/**
 * n-0: three deliveries, all finished (delivered, dead with an error, cancelled);
 * n-1: one delivered to a subscription first named there, one failed (open: read one by one);
 * n-2: a delivered one to that subscription and an expired fallback (packed, refers back);
 * n-3 (another user): one still pending.
 */
function state(): MemoryState {
  const engine = new MemoryState();
  engine.saveNotification({ notification: note('n-0', 'user-0'), deliveries: [delivery('d-0', 'sub-a'), delivery('d-1', 'sub-b'), delivery('d-2', 'sub-c')], now: t0 });
  engine.saveNotification({ notification: note('n-1', 'user-0'), deliveries: [delivery('d-3', 'sub-new'), delivery('d-4', 'sub-a')], now: t0 + 1 });
  engine.saveNotification({ notification: note('n-2', 'user-1'), deliveries: [delivery('d-5', 'sub-new'), delivery('d-6', 'sub-b', 'fallback')], now: t0 + 2 });
  settle(engine, t0 + 3, {
    'd-0': { status: 'delivered' },
    'd-1': { status: 'dead', error: { code: 'GONE', message: 'endpoint gone' } },
    'd-2': { status: 'cancelled', reason: 'test' },
    'd-3': { status: 'delivered' },
    'd-4': { status: 'failed', nextAttemptAt: t0 + 60_000, error: { code: 'TIMEOUT', message: 'timed out' } },
    'd-5': { status: 'delivered' },
    'd-6': { status: 'expired' },
  });
  engine.saveNotification({ notification: note('n-3', 'user-2'), deliveries: [delivery('d-7', 'sub-d')], now: t0 + 4 });
  return engine;
}

async function snapshotBytes(engine: MemoryState): Promise<Buffer> {
  const out = new ByteWriter();
  await writeImage(out, captureImage(engine), Number.MAX_SAFE_INTEGER, async () => undefined);
  return Buffer.from(out.bytes());
}

/** Reads `bytes` into a fresh engine, counting the restorer's calls of each kind. */
function read(bytes: Buffer): { engine: MemoryState; calls: { packed: number[]; delivery: number } } {
  const calls = { packed: [] as number[], delivery: 0 };
  const inner = stateRestorer();
  const counting: StateRestorer<MemoryState> = {
    ...inner,
    packedDeliveries: (count, source, offset) => {
      calls.packed.push(count);
      inner.packedDeliveries(count, source, offset);
    },
    delivery: (...args) => {
      calls.delivery++;
      inner.delivery(...args);
    },
  };
  const input = new ByteReader();
  input.load(bytes);
  const reader = new ImageReader(input, counting);
  reader.readChunk();
  return { engine: reader.finish(), calls };
}

describe('packed finished deliveries', () => {
  it('packs the notifications whose deliveries are all finished and reads the others one by one', async () => {
    const { calls } = read(await snapshotBytes(state()));
    expect(calls.packed).toEqual([3, 2]);
    expect(calls.delivery).toBe(3);
  });

  it('restores the same state, which writes the same bytes before and after its deliveries are unpacked', async () => {
    const engine = state();
    const bytes = await snapshotBytes(engine);
    const { engine: restored } = read(bytes);
    expect(await snapshotBytes(restored), 'still packed').toEqual(bytes);
    expect(restored.logicalState()).toEqual(engine.logicalState());
    expect(await snapshotBytes(restored), 'unpacked').toEqual(bytes);
    for (const [userId, id] of [['user-0', 'n-0'], ['user-0', 'n-1'], ['user-1', 'n-2'], ['user-2', 'n-3']] as const) {
      expect(restored.listDeliveries(userId, id)).toEqual(engine.listDeliveries(userId, id));
    }
  });

  it('acts on unpacked deliveries as on restored ones: a retry revives a dead one, a claim takes it', async () => {
    const engine = state();
    const { engine: restored } = read(await snapshotBytes(engine));
    const retried = engine.retryDelivery('user-0', 'd-1', t0 + 5);
    expect(retried).toMatchObject({ status: 'pending' });
    expect(restored.retryDelivery('user-0', 'd-1', t0 + 5)).toEqual(retried);
    const claims = (target: MemoryState): string[] =>
      target.claimDeliveries({ owner: 'w', now: t0 + 120_000, leaseMs: 1_000, limit: 10 }, ['x', 'y', 'z']).map(({ delivery: claim }) => claim.id).sort();
    expect(claims(restored)).toEqual(claims(engine));
    expect(restored.logicalState()).toEqual(engine.logicalState());
  });

  it('refuses damage in a packed delivery during the open', async () => {
    const bytes = await snapshotBytes(state());
    // d-6's status byte follows its id, two string references and its platform byte:
    // set it past the list of statuses.
    const at = bytes.indexOf(Buffer.from('\x03d-6', 'latin1'));
    expect(at).toBeGreaterThan(0);
    const damaged = Buffer.from(bytes);
    damaged[at + 4 + 2 + 1] = 0x7f;
    expect(() => read(damaged)).toThrow(/unknown delivery status number 127/);
  });
});
