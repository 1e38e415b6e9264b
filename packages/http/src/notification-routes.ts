/**
 * `/me/notifications`: create and send (the reference's request), read the feed, one
 * notification, state changes, deletes, and the change feed.
 */
import { HeraldError, validateNotificationState, type NotificationService } from '@herald/core';
import { changeBody, notificationBody, notificationEntity, notificationsContext } from './graph-shape.js';
import { me, type Exchange, type HttpCaller } from './exchange.js';
import { parseFeedFilter } from './odata-filter.js';
import { pageLink } from './paging-links.js';
import type { RequestQuery } from './query.js';
import { checkJsonContentType, contentEncoding, readJsonBody, type BodyLimits } from './request-body.js';
import { sendEmpty, sendJson } from './responses.js';
import { encodeUriComponent } from './uri-component.js';

const maxSubscriptionIdLength = 256;

function topOf(query: RequestQuery, fallback: number): number {
  const text = query.get('$top');
  if (text === null) return fallback;
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > 1000) throw new HeraldError('INVALID_ARGUMENT', '$top must be a whole number from 1 to 1000');
  return Number(text);
}

/**
 * X-UNS-ID carries a subscription id, which Herald mints as ASCII. Header bytes outside
 * visible ASCII (a lone surrogate's bytes, say) name nothing: a 400, not a look-up.
 */
const subscriptionIdHeader = /^[\x21-\x7e]+$/;

/** The X-UNS-ID header's subscription id, trimmed; `undefined` when absent or blank. */
function unsId(exchange: Exchange): string | undefined {
  const subscriptionId = exchange.request.headers['x-uns-id'];
  if (typeof subscriptionId !== 'string' || subscriptionId.trim() === '') return undefined;
  if (subscriptionId.length > maxSubscriptionIdLength) throw new HeraldError('INVALID_ARGUMENT', 'the X-UNS-ID header is too long');
  if (!subscriptionIdHeader.test(subscriptionId.trim())) throw new HeraldError('INVALID_ARGUMENT', 'the X-UNS-ID header must be a subscription id: visible ASCII characters only');
  return subscriptionId.trim();
}

/** A state change's options: the endpoint that made it (X-UNS-ID, optional) is not sent its sync. */
function originOf(exchange: Exchange): { origin?: string } {
  const origin = unsId(exchange);
  return origin === undefined ? {} : { origin };
}

/**
 * The headers of a send, checked as the reference's error table says, in its order: shared
 * by `POST /me/notifications` and its dry run, `POST /me/notifications/explain`. Returns
 * the X-UNS-ID and the body's encoding; the body is read after (`readJsonBody`).
 */
export function sendHeadersOf(exchange: Exchange): { encoding: ReturnType<typeof contentEncoding>; subscriptionId: string } {
  const { request } = exchange;
  for (const header of ['if-modified-since', 'if-range'] as const) {
    if (request.headers[header] !== undefined) {
      throw new HeraldError('UNSUPPORTED_HEADER', `the ${header === 'if-range' ? 'If-Range' : 'If-Modified-Since'} header is not supported on this request`);
    }
  }
  const encoding = contentEncoding(request);
  checkJsonContentType(request);
  const subscriptionId = unsId(exchange);
  if (subscriptionId === undefined) {
    throw new HeraldError('INVALID_ARGUMENT', 'the X-UNS-ID header is required: it names the subscription that targets the user');
  }
  return { encoding, subscriptionId };
}

/** `POST /me/notifications`: the reference's request, row by row of its error table. */
export async function createNotification(exchange: Exchange, service: NotificationService, caller: HttpCaller, limits: BodyLimits): Promise<void> {
  const { response } = exchange;
  const { encoding, subscriptionId } = sendHeadersOf(exchange);
  const body = await readJsonBody(exchange.request, encoding, limits);
  const result = await service.send(body as never, { subscriptionId }, { caller });
  const location = `${exchange.baseUrl}/me/notifications/${encodeUriComponent(result.notification.id)}`;
  sendJson(response, result.created ? 201 : 200, notificationEntity(exchange.baseUrl, result.notification), { location });
}

/** `GET /me/notifications`: a page of the feed, Graph-paged. */
export async function listNotifications(exchange: Exchange, service: NotificationService, caller: HttpCaller): Promise<void> {
  const { query } = exchange;
  const top = topOf(query, 20);
  const filter = query.get('$filter');
  const skiptoken = query.get('$skiptoken');
  const page = await service.feed.list(me(caller), { ...parseFeedFilter(filter), limit: top, ...(skiptoken === null ? {} : { cursor: skiptoken }) });
  const body: Record<string, unknown> = {
    '@odata.context': notificationsContext(exchange.baseUrl, me(caller), false),
    value: page.items.map(notificationBody),
  };
  if (page.nextCursor !== undefined) {
    body['@odata.nextLink'] = pageLink(exchange, '/me/notifications', { name: '$skiptoken', value: page.nextCursor });
  }
  sendJson(exchange.response, 200, body);
}

/** `GET /me/notifications/delta`: what changed since a delta token (everything without one). */
export async function notificationDelta(exchange: Exchange, service: NotificationService, caller: HttpCaller): Promise<void> {
  const { query } = exchange;
  const token = query.get('$skiptoken') ?? query.get('$deltatoken') ?? undefined;
  const top = topOf(query, 100);
  const page = await service.feed.changesSince(me(caller), token, { limit: top });
  const body: Record<string, unknown> = {
    '@odata.context': notificationsContext(exchange.baseUrl, me(caller), false),
    value: page.changes.map(changeBody),
  };
  if (page.hasMore) body['@odata.nextLink'] = pageLink(exchange, '/me/notifications/delta', { name: '$skiptoken', value: page.cursor });
  else body['@odata.deltaLink'] = pageLink(exchange, '/me/notifications/delta', { name: '$deltatoken', value: page.cursor });
  sendJson(exchange.response, 200, body);
}

async function existing(service: NotificationService, caller: HttpCaller, id: string) {
  const notification = await service.feed.get(me(caller), id);
  if (notification === undefined) throw new HeraldError('NOTIFICATION_NOT_FOUND', 'you have no notification with this id');
  return notification;
}

/** `GET /me/notifications/{id}`. */
export async function getNotification(exchange: Exchange, service: NotificationService, caller: HttpCaller, id: string): Promise<void> {
  sendJson(exchange.response, 200, notificationEntity(exchange.baseUrl, await existing(service, caller, id)));
}

/**
 * `PATCH /me/notifications/{id}`: `readState` and `userActionState`. The user's other
 * endpoints are told (cross-device sync); an `X-UNS-ID` header names the endpoint making
 * the change, which is not.
 */
export async function patchNotification(exchange: Exchange, service: NotificationService, caller: HttpCaller, id: string, limits: BodyLimits): Promise<void> {
  const encoding = contentEncoding(exchange.request);
  checkJsonContentType(exchange.request);
  const patch = validateNotificationState(await readJsonBody(exchange.request, encoding, limits));
  const updated = await service.feed.update(me(caller), id, patch, originOf(exchange));
  sendJson(exchange.response, 200, notificationEntity(exchange.baseUrl, updated));
}

/**
 * `DELETE /me/notifications/{id}`: 204, as Graph answers a delete; 404 for another user's
 * id. The user's other endpoints are told it is gone (cross-device sync); an `X-UNS-ID`
 * header names the endpoint deleting it, which is not.
 */
export async function deleteNotification(exchange: Exchange, service: NotificationService, caller: HttpCaller, id: string): Promise<void> {
  if (!(await service.feed.delete(me(caller), id, originOf(exchange)))) throw new HeraldError('NOTIFICATION_NOT_FOUND', 'you have no notification with this id');
  sendEmpty(exchange.response, 204);
}
