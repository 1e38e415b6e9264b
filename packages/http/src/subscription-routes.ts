/**
 * `/me/notifications/subscriptions`: the signed-in user's endpoints.
 */
import { HeraldError, type NotificationService } from '@herald/core';
import { me, type Exchange, type HttpCaller } from './exchange.js';
import { subscriptionBody } from './graph-shape.js';
import { checkJsonContentType, contentEncoding, readJsonBody, type BodyLimits } from './request-body.js';
import { sendEmpty, sendJson } from './responses.js';
import { encodeUriComponent } from './uri-component.js';

/** `POST /me/notifications/subscriptions`: 201 with the subscription; its id is the X-UNS-ID. */
export async function createSubscription(exchange: Exchange, service: NotificationService, caller: HttpCaller, limits: BodyLimits): Promise<void> {
  const encoding = contentEncoding(exchange.request);
  checkJsonContentType(exchange.request);
  const body = await readJsonBody(exchange.request, encoding, limits);
  const subscription = await service.subscriptions.create(me(caller), body as never);
  const location = `${exchange.baseUrl}/me/notifications/subscriptions/${encodeUriComponent(subscription.id)}`;
  sendJson(exchange.response, 201, subscriptionBody(subscription), { location });
}

/** `GET /me/notifications/subscriptions`. */
export async function listSubscriptions(exchange: Exchange, service: NotificationService, caller: HttpCaller): Promise<void> {
  const subscriptions = await service.subscriptions.list(me(caller));
  sendJson(exchange.response, 200, { value: subscriptions.map(subscriptionBody) });
}

/** `DELETE /me/notifications/subscriptions/{id}`: 204; another user's id is 404. */
export async function deleteSubscription(exchange: Exchange, service: NotificationService, caller: HttpCaller, id: string): Promise<void> {
  const subscription = await service.subscriptions.get(id);
  if (subscription === undefined || subscription.userId !== me(caller)) {
    throw new HeraldError('SUBSCRIPTION_NOT_FOUND', 'you have no subscription with this id');
  }
  await service.subscriptions.delete(id);
  sendEmpty(exchange.response, 204);
}
