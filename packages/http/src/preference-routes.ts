/**
 * `/me/notifications/preferences`: the signed-in user's preferences. `GET` returns them
 * (`{}` when none were set); `PATCH` changes them by a JSON Merge Patch (RFC 7396): a
 * field given replaces the stored one, `null` removes it, and a level's rules and the
 * quiet-hours schedule merge key by key.
 */
import { applyPreferencesPatch, checkPreferencesPatch, type NotificationService } from '@herald/core';
import { me, type Exchange, type HttpCaller } from './exchange.js';
import { checkJsonContentType, contentEncoding, readJsonBody, type BodyLimits } from './request-body.js';
import { sendJson } from './responses.js';

/** `GET /me/notifications/preferences`. */
export async function getPreferences(exchange: Exchange, service: NotificationService, caller: HttpCaller): Promise<void> {
  sendJson(exchange.response, 200, await service.preferences.get(me(caller)));
}

/** RFC 7396 names its own media type; plain JSON is taken too, as clients send it. */
const patchTypes = ['application/merge-patch+json', 'application/json'];

/**
 * A user's PATCHes one after another in this process: each reads the preferences, merges
 * and writes them, so two at once could otherwise lose one's change. Across processes
 * the last write wins.
 */
const patching = new Map<string, Promise<unknown>>();

function oneAtATime<T>(userId: string, work: () => Promise<T>): Promise<T> {
  const previous = patching.get(userId) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  patching.set(userId, settled);
  void settled.then(() => {
    if (patching.get(userId) === settled) patching.delete(userId);
  });
  return next;
}

/**
 * `PATCH /me/notifications/preferences`: 200 with the preferences as stored. The body is
 * checked against `preferencesPatchSchema`, the result by `preferences.set`
 * (`INVALID_PREFERENCES`: 400 with `details` naming each field, the schedule's included).
 */
export async function patchPreferences(exchange: Exchange, service: NotificationService, caller: HttpCaller, limits: BodyLimits): Promise<void> {
  const encoding = contentEncoding(exchange.request);
  checkJsonContentType(exchange.request, patchTypes);
  const patch = checkPreferencesPatch(await readJsonBody(exchange.request, encoding, limits));
  const userId = me(caller);
  const stored = await oneAtATime(userId, async () => service.preferences.set(userId, applyPreferencesPatch(await service.preferences.get(userId), patch)));
  sendJson(exchange.response, 200, stored);
}
