import { describe, expect, it } from 'vitest';
import { formatDateTime, type NewNotification } from '@herald/core/store';
import { captureImage, MemoryState, stateRestorer } from '@herald/store-memory/engine';
import { ByteReader, ByteWriter } from '../src/binary-buffer.js';
import { writeImage } from '../src/snapshot-format.js';
import { ImageReader } from '../src/snapshot-reading.js';

const t0 = Date.parse('2026-01-01T00:00:00.000Z');

/** A notification with fixed ids and times, so the snapshot's bytes are fixed too. */
function note(index: number, fields: Partial<NewNotification>): NewNotification {
  return {
    id: `n-${index}`,
    userId: `user-${index % 2}`,
    targetHostName: 'app.example',
    appNotificationId: `a-${index}`,
    payload: { visualContent: { title: `title ${index}` }, rawContent: index % 2 === 0 ? `raw ${index}` : undefined },
    expirationDateTime: formatDateTime(t0 + 86_400_000),
    ...fields,
  } as NewNotification;
}

/** Every optional field alone, all of them, none, and one under an idempotency key. */
function state(): MemoryState {
  const engine = new MemoryState();
  const writes: Partial<NewNotification>[] = [
    {},
    { targetPolicy: { platformTypes: ['windows', 'ios'] } },
    { targetPolicy: {} },
    { priority: 'Low' },
    { groupName: 'group \u{1F600}' },
    { displayTimeToLive: 3_599 },
    { fallbackPolicy: { endpointFallback: { platformTypes: ['ios'], fallbackDelayInSeconds: 90, visualContent: { body: 'fallback' } } } },
    {
      targetPolicy: { platformTypes: ['ios'] },
      priority: 'High',
      groupName: 'all',
      displayTimeToLive: 0,
      fallbackPolicy: { endpointFallback: { platformTypes: ['ios'], fallbackDelayInSeconds: 600 } },
    },
  ];
  writes.forEach((fields, index) => {
    const notification = JSON.parse(JSON.stringify(note(index, fields))) as NewNotification;
    const idempotency = index === 7 ? { key: 'k', fingerprint: 'f', expiresAt: t0 + 3_600_000 } : undefined;
    engine.saveNotification({ notification, deliveries: [], now: t0 + index, ...(idempotency === undefined ? {} : { idempotency }) });
  });
  return engine;
}

async function snapshotBytes(engine: MemoryState): Promise<Buffer> {
  const out = new ByteWriter();
  await writeImage(out, captureImage(engine), Number.MAX_SAFE_INTEGER, async () => undefined);
  return Buffer.from(out.bytes());
}

describe('the snapshot format of notifications', () => {
  it('writes the bytes it wrote before the contract had a field table (a snapshot on disk today still reads)', async () => {
    const bytes = await snapshotBytes(state());
    // Written by the code that listed each field by hand; the fixture must never change.
    await expect(bytes.toString('hex').replace(/(.{96})/g, '$1\n')).toMatchFileSnapshot('./fixtures/snapshot-items.hex');
  });

  it('reads those bytes back into the same state', async () => {
    const engine = state();
    const bytes = await snapshotBytes(engine);
    const input = new ByteReader();
    input.load(bytes);
    const reader = new ImageReader(input, stateRestorer());
    reader.readChunk();
    const restored = reader.finish();
    expect(restored.logicalState()).toEqual(engine.logicalState());
    expect(await snapshotBytes(restored), 'the restored state writes the same bytes').toEqual(bytes);
  });

  it('carries preferences and a notification’s decisions (items older snapshots do not have), and reads them back', async () => {
    const engine = state();
    engine.setPreferences('user-0', { default: 'optOut', apps: { 'app.example': 'optIn' }, quietHours: { timeZone: 'UTC', windows: [{ days: ['monday'], start: '22:00', end: '07:00' }] } });
    const notification = JSON.parse(JSON.stringify(note(8, {}))) as NewNotification;
    engine.saveNotification({ notification, deliveries: [], decisions: '[["s","skipped",0,"app"]]', now: t0 + 8 });
    const bytes = await snapshotBytes(engine);
    const input = new ByteReader();
    input.load(bytes);
    const reader = new ImageReader(input, stateRestorer());
    reader.readChunk();
    const restored = reader.finish();
    expect(restored.logicalState()).toEqual(engine.logicalState());
    expect(restored.getDeliveryDecisions('user-0', 'n-8')).toBe('[["s","skipped",0,"app"]]');
    expect(restored.getPreferences('user-0')).toEqual(engine.getPreferences('user-0'));
  });

  it('refuses a notification whose flags name an optional field it does not know', async () => {
    const engine = new MemoryState();
    const notification = JSON.parse(JSON.stringify(note(0, {}))) as NewNotification;
    engine.saveNotification({ notification, deliveries: [], now: t0 });
    const bytes = await snapshotBytes(engine);
    // The record ends with its read state, action state, sequence 1 and flags 0, and the
    // item goes on with its expiry as a double: find that, and set a flag past the table.
    const expiry = Buffer.alloc(8);
    expiry.writeDoubleLE(Date.parse(notification.expirationDateTime));
    const flagsAt = bytes.indexOf(Buffer.concat([Buffer.from([0, 0, 1, 0]), expiry])) + 3;
    expect(flagsAt).toBeGreaterThan(3);
    const damaged = Buffer.from(bytes);
    damaged[flagsAt] = 0x40;
    const input = new ByteReader();
    input.load(damaged);
    expect(() => new ImageReader(input, stateRestorer()).readChunk()).toThrow(/unknown optional fields/);
  });
});
