/**
 * What the service tests share: a service on the memory store and a fake clock, and a
 * transport that records every message and fails when a test tells it to.
 */
import { createNotificationService, type NotificationRequest, type NotificationServiceOptions, type Transport } from '@herald/core';
import { type Endpoint, type TransportContext, type TransportMessage } from '@herald/core/transport';
import { createMemoryStore } from '@herald/store-memory';
import { createFakeClock, sampleRequest, type FakeClock } from '@herald/testing';

/** One call a recording transport received. */
interface RecordedCall {
  readonly message: TransportMessage;
  readonly endpoint: Endpoint;
  readonly context: TransportContext;
}

/** What a scripted transport does on a call: nothing (succeed), or throw. */
type Behaviour = (call: RecordedCall, index: number) => void | Promise<void>;

/** A transport that records calls and behaves as the test says. */
export interface RecordingTransport extends Transport {
  readonly calls: RecordedCall[];
  behave(behaviour: Behaviour): void;
}

export function recordingTransport(name = 'test'): RecordingTransport {
  const calls: RecordedCall[] = [];
  let behaviour: Behaviour = () => undefined;
  return {
    name,
    calls,
    behave(next) {
      behaviour = next;
    },
    async send(message, endpoint, context) {
      const call = { message, endpoint, context };
      calls.push(call);
      await behaviour(call, calls.length - 1);
    },
  };
}

export const app = 'graphnotifications.sample.windows.com';

/** The reference page's example request, expiring two days after `now`. */
export function referenceRequest(now: number, overrides: Record<string, unknown> = {}): NotificationRequest {
  return sampleRequest(overrides, now);
}

export interface Harness {
  readonly service: ReturnType<typeof createNotificationService>;
  readonly clock: FakeClock;
  readonly transport: RecordingTransport;
  /** Subscribes `userId` on each platform through the recording transport; returns the subscription ids. */
  subscribe(userId: string, platforms?: readonly string[], targetHostName?: string): Promise<string[]>;
}

export async function harness(options: Partial<NotificationServiceOptions> = {}): Promise<Harness> {
  const clock = createFakeClock();
  const transport = recordingTransport();
  const service = createNotificationService({
    store: createMemoryStore(),
    transports: [transport],
    clock,
    random: () => 0.5,
    ...options,
  });
  return {
    service,
    clock,
    transport,
    async subscribe(userId, platforms = ['windows', 'ios', 'android'], targetHostName = app) {
      const ids: string[] = [];
      for (const platformType of platforms) {
        const subscription = await service.subscriptions.create(userId, { targetHostName, platformType, transport: transport.name, address: `${platformType}://${userId}` });
        ids.push(subscription.id);
      }
      return ids;
    },
  };
}
