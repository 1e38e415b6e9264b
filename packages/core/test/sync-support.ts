/**
 * What the sync tests share: a transport that carries sync messages and records them, and
 * a service on the memory store with three endpoints of alice's and one notification.
 */
import { createNotificationService, type NotificationService, type NotificationStore, type Transport } from '@herald/core';
import type { Endpoint, SyncMessage, TransportContext } from '@herald/core/transport';
import { createMemoryStore } from '@herald/store-memory';
import { createFakeClock, type FakeClock } from '@herald/testing';
import { app, referenceRequest } from './support.js';

export interface SyncCall {
  readonly message: SyncMessage;
  readonly endpoint: Endpoint;
}

/** A transport that carries sync messages, recording them; `behave` scripts each call. */
export function syncTransport(name: string): Transport & { readonly syncs: SyncCall[]; behave(next: (call: SyncCall, context: TransportContext) => Promise<void> | void): void } {
  const syncs: SyncCall[] = [];
  let behaviour: (call: SyncCall, context: TransportContext) => Promise<void> | void = () => undefined;
  return {
    name,
    syncs,
    behave(next) {
      behaviour = next;
    },
    async send() {},
    async sendSync(message, endpoint, context) {
      const call = { message, endpoint };
      syncs.push(call);
      await behaviour(call, context);
    },
  };
}

const opened: NotificationService[] = [];

/** Closes the services {@link setUpSync} made (call after each test). */
export async function closeSyncServices(): Promise<void> {
  await Promise.all(opened.splice(0).map((service) => service.close()));
}

/** A service with a sync-carrying transport, alice's phone, laptop and tablet on it, and one notification sent to them all. */
export async function setUpSync(store: NotificationStore = createMemoryStore()) {
  const clock: FakeClock = createFakeClock();
  const carrier = syncTransport('carrier');
  const plain: Transport = { name: 'plain', async send() {} };
  const service = createNotificationService({ store, transports: [carrier, plain], clock, random: () => 0.5 });
  opened.push(service);
  const subscribe = async (platformType: string, transport = 'carrier', targetHostName = app) =>
    (await service.subscriptions.create('alice', { targetHostName, platformType, transport, address: `${platformType}://alice/${transport}` })).id;
  const phone = await subscribe('android');
  const laptop = await subscribe('windows');
  const tablet = await subscribe('ios');
  const { notification } = await service.send(referenceRequest(clock.now()), { userId: 'alice' });
  await service.drain();
  return { service, clock, carrier, phone, laptop, tablet, notification, subscribe };
}

/** The sync deliveries of one of alice's notifications. */
export const syncsOf = async (service: NotificationService, id: string) => (await service.deliveries.list('alice', id)).filter((delivery) => delivery.kind === 'sync');
