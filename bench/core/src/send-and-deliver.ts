/**
 * Send and deliver: notifications to users with 3 endpoints each, through a no-op
 * transport, the dispatcher draining; against an in-process floor doing the least any
 * library must do for the same work: ajv validation of the same body, a random id, a Map
 * insert of the record and of its 3 delivery records, one event emitted, and each
 * delivery handed to the same no-op transport (awaited, then marked delivered). The
 * floor without the transport calls (as it was measured before) is a second row.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { EventEmitter } from 'eventemitter3';
import { createNotificationService, notificationSchema, type Transport } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { referenceRequest } from './reference.js';
import { rate, type BenchResult } from '@herald/bench-support';

const users = 1000;
const platforms = ['windows', 'ios', 'android'] as const;
const senders = 256;

/** Herald's rate: notifications stored and delivered to all 3 endpoints per second. */
export async function heraldRate(total: number): Promise<number> {
  const noop: Transport = { name: 'noop', send: async () => undefined };
  const service = createNotificationService({ store: createMemoryStore(), transports: [noop], dispatcher: { concurrency: 256 } });
  for (let u = 0; u < users; u += 1) {
    for (const platformType of platforms) {
      await service.subscriptions.create(`user-${u}`, { targetHostName: 'graphnotifications.sample.windows.com', platformType, transport: 'noop', address: `${platformType}-${u}` });
    }
  }
  const start = performance.now();
  await rate(total, senders, (i) => service.send(referenceRequest(`n-${i}`), { userId: `user-${i % users}` }));
  await service.drain();
  const seconds = (performance.now() - start) / 1000;
  const dead = await service.deliveries.listDead({ limit: 1 });
  if (dead.items.length > 0) throw new Error('a delivery failed during the benchmark');
  await service.close();
  return total / seconds;
}

/** The floor's rate; `deliver: false` leaves out the transport calls (the floor as it was first defined). */
async function floorRate(total: number, deliver: boolean): Promise<number> {
  const ajv = new Ajv2020({ allErrors: true });
  ajv.addFormat('date-time', { type: 'string', validate: (text: string) => !Number.isNaN(Date.parse(text)) });
  const validate = ajv.compile(notificationSchema);
  const notifications = new Map<string, unknown>();
  const deliveries = new Map<string, object>();
  const events = new EventEmitter();
  const noop = { send: async (_message: unknown, _endpoint: unknown): Promise<void> => undefined };
  const endpoints = platforms.map((platformType) => ({ platformType, address: platformType }));
  let emitted = 0;
  events.on('created', () => (emitted += 1));
  const start = performance.now();
  for (let i = 0; i < total; i += 1) {
    const body = referenceRequest(`n-${i}`);
    if (!validate(body)) throw new Error('the reference body is invalid');
    const id = randomUUID();
    const record = { ...body, id, userId: `user-${i % users}`, createdDateTime: new Date().toISOString() };
    notifications.set(id, record);
    if (!deliver) {
      for (const platformType of platforms) deliveries.set(randomUUID(), { notificationId: id, platformType, status: 'delivered', attempts: 1 });
      events.emit('created', record);
      continue;
    }
    const mine = endpoints.map((endpoint) => {
      const delivery = { id: randomUUID(), notificationId: id, platformType: endpoint.platformType, status: 'pending', attempts: 0 };
      deliveries.set(delivery.id, delivery);
      return delivery;
    });
    events.emit('created', record);
    await Promise.all(mine.map((delivery, index) => noop.send({ deliveryId: delivery.id, notification: record }, endpoints[index])));
    for (const delivery of mine) {
      delivery.status = 'delivered';
      delivery.attempts = 1;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  if (emitted !== total) throw new Error('the floor lost events');
  return total / seconds;
}

export async function sendAndDeliver(total = 60_000): Promise<BenchResult[]> {
  await heraldRate(5000); // warm the JIT on the same code path
  await floorRate(5000, true);
  await floorRate(5000, false);
  const herald = await heraldRate(total);
  const floor = await floorRate(total, true);
  const storeOnly = await floorRate(total, false);
  const scenario = 'send and deliver (memory store, 3 endpoints each, no-op transport)';
  return [
    {
      scenario,
      unit: 'notifications/s',
      herald,
      anchor: 'in-process floor (ajv + id + Map inserts + one event + 3 no-op transport calls)',
      anchorValue: floor,
      ratio: herald / floor,
      target: '>= 25,000/s and >= 0.5x the floor',
      higherIsBetter: true,
      met: herald >= 25_000 && herald / floor >= 0.5,
    },
    {
      scenario: `${scenario}, against the floor without transport calls`,
      unit: 'notifications/s',
      herald,
      anchor: 'in-process floor as first defined (ajv + id + Map inserts + one event, no transport call)',
      anchorValue: storeOnly,
      ratio: herald / storeOnly,
      target: '>= 0.5x (reference: the anchor leaves out the delivery)',
      higherIsBetter: true,
      met: herald / storeOnly >= 0.5,
    },
  ];
}
