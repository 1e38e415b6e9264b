/**
 * What travels on the schema's channel (NOTIFY payloads): a wake-up of the dispatchers, or
 * an announcement that users' feeds changed. Each names the store instance that sent it,
 * so an instance does not hear its own; one sent from inside an app's transaction names
 * none, since it fires at the app's commit, after the sending instance last looked.
 */

/** PostgreSQL refuses a payload of 8000 bytes or more; an announcement of many users becomes "any user". */
const maxPayloadBytes = 7900;

/** A message of the channel, parsed. */
export type Announcement =
  | { readonly kind: 'wake'; readonly instance: string }
  | { readonly kind: 'feed'; readonly instance: string; readonly userIds: readonly string[] | undefined };

/** The payload of a wake-up from `instance` (`''`: from an app's transaction). */
export function wakePayload(instance: string): string {
  return JSON.stringify({ k: 'w', i: instance });
}

/** The payload of a feed announcement from `instance` for `userIds` (`undefined`: any user). */
export function feedPayload(instance: string, userIds: readonly string[] | undefined): string {
  const payload = JSON.stringify(userIds === undefined ? { k: 'f', i: instance } : { k: 'f', i: instance, u: userIds });
  return Buffer.byteLength(payload) < maxPayloadBytes ? payload : JSON.stringify({ k: 'f', i: instance });
}

/** The announcement in `payload`, or `undefined` when it is not one of Herald's. */
export function parseAnnouncement(payload: string | undefined): Announcement | undefined {
  if (payload === undefined) return undefined;
  let message: { k?: unknown; i?: unknown; u?: unknown };
  try {
    message = JSON.parse(payload) as typeof message;
  } catch {
    return undefined;
  }
  if (message === null || typeof message !== 'object' || typeof message.i !== 'string') return undefined;
  if (message.k === 'w') return { kind: 'wake', instance: message.i };
  if (message.k !== 'f') return undefined;
  const userIds = Array.isArray(message.u) && message.u.every((id) => typeof id === 'string') ? (message.u as string[]) : undefined;
  return { kind: 'feed', instance: message.i, userIds };
}
