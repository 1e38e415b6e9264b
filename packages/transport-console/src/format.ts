/**
 * How the console transport writes a delivery: a line for people, or a JSON line for tools.
 */
import type { Endpoint, SyncMessage, TransportMessage } from '@herald/core/transport';

/** Output formats of the console transport. */
export const consoleFormats = ['text', 'json'] as const;
/** An output format of the console transport. */
export type ConsoleFormat = (typeof consoleFormats)[number];

const maxShown = 120;

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > maxShown ? `${oneLine.slice(0, maxShown - 1)}…` : oneLine;
}

/** What the notification says, in one short phrase. */
function summary(message: TransportMessage): string {
  const { visualContent, rawContent } = message.notification.payload;
  const parts: string[] = [];
  if (visualContent?.title !== undefined) parts.push(`“${shorten(visualContent.title)}”`);
  if (visualContent?.body !== undefined) parts.push(shorten(visualContent.body));
  if (parts.length === 0 && rawContent !== undefined) parts.push(`raw ${shorten(rawContent)}`);
  return parts.join(' — ');
}

/** A readable line: when, where, what, and which delivery and attempt. */
export function formatText(message: TransportMessage, endpoint: Endpoint, now: number): string {
  const { notification } = message;
  const kind = message.kind === 'fallback' ? ' (fallback)' : '';
  return (
    `${new Date(now).toISOString()} [herald] ${endpointLabel(endpoint)}: ${summary(message)}${kind}` +
    ` [${notification.targetHostName} · ${notification.appNotificationId} · delivery ${message.deliveryId} · attempt ${message.attempt}]\n`
  );
}

/**
 * A JSON line with the delivery, the endpoint (its secret left out) and what it carries
 * (`notification` or `sync`).
 */
function jsonLine(message: TransportMessage | SyncMessage, endpoint: Endpoint, now: number, carried: { notification: unknown } | { sync: unknown }): string {
  const { secret: _secret, ...visibleEndpoint } = endpoint;
  const { deliveryId, kind, attempt } = message;
  return `${JSON.stringify({ time: new Date(now).toISOString(), deliveryId, kind, attempt, endpoint: visibleEndpoint, ...carried })}\n`;
}

/** A JSON line with the delivery, the endpoint and the whole notification. */
export function formatJson(message: TransportMessage, endpoint: Endpoint, now: number): string {
  return jsonLine(message, endpoint, now, { notification: message.notification });
}

/** Who the line is for: the endpoint, by platform, user and address. */
function endpointLabel(endpoint: Endpoint): string {
  return `${endpoint.platformType} endpoint of ${endpoint.userId} (${endpoint.address})`;
}

/** A readable line for a sync: which notification, its new state (or its deletion), which delivery and attempt. */
export function formatSyncText(message: SyncMessage, endpoint: Endpoint, now: number): string {
  const { sync } = message;
  const state = sync.type === 'deleted' ? 'deleted' : `${sync.readState}, ${sync.userActionState}`;
  return (
    `${new Date(now).toISOString()} [herald] ${endpointLabel(endpoint)}: sync of ${sync.notificationId} — ${state}` +
    ` [delivery ${message.deliveryId} · attempt ${message.attempt}]\n`
  );
}

/** A JSON line with the delivery, the endpoint and the synced state. */
export function formatSyncJson(message: SyncMessage, endpoint: Endpoint, now: number): string {
  return jsonLine(message, endpoint, now, { sync: message.sync });
}
