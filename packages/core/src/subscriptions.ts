/**
 * The service's subscription calls: endpoints register, renew, deactivate and leave.
 */
import { checkId, checkText, checkTime } from './arguments.js';
import { expiryOf } from './contract/date-time.js';
import { validateSubscription, type SubscriptionRequest } from './contract/validate.js';
import type { ServiceContext } from './context.js';
import { HeraldError, isHeraldError } from './errors.js';
import type { StoredSubscription } from './records.js';
import type { EndpointCandidate, Transport } from './transport/interface.js';
import { messageOfThrown } from './thrown-text.js';

/** The subscription calls of a service. */
export interface SubscriptionsApi {
  /**
   * Registers an endpoint of `userId` and returns it with its unguessable id (the Graph
   * `X-UNS-ID`). Without `expirationDateTime` it lives for the service's default lifetime.
   * @throws HeraldError `CONTRACT_MISMATCH`, `UNKNOWN_TRANSPORT`, `INVALID_ENDPOINT` (the
   *   transport's `checkEndpoint` refused the address or secret), `INVALID_ARGUMENT`,
   *   `TOO_MANY_SUBSCRIPTIONS`
   */
  create(userId: string, request: SubscriptionRequest): Promise<StoredSubscription>;
  /** One subscription, whatever its status; `undefined` when there is none. */
  get(subscriptionId: string): Promise<StoredSubscription | undefined>;
  /** The user's subscriptions, oldest first, whatever their status. */
  list(userId: string): Promise<readonly StoredSubscription[]>;
  /**
   * Extends a subscription to `expirationDateTime` (the default lifetime from now when
   * absent). An expired subscription becomes active again; one deactivated for another
   * reason stays inactive and cannot be renewed.
   * @throws HeraldError `SUBSCRIPTION_NOT_FOUND`, `SUBSCRIPTION_INACTIVE`, `INVALID_ARGUMENT`
   */
  renew(subscriptionId: string, expirationDateTime?: Date | number | string): Promise<StoredSubscription>;
  /**
   * Stops deliveries to an endpoint, recording why.
   * @throws HeraldError `SUBSCRIPTION_NOT_FOUND`
   */
  deactivate(subscriptionId: string, reason: string): Promise<StoredSubscription>;
  /** Deletes a subscription; its open deliveries are cancelled at once, one under way included (its outcome is then not recorded). False when there was none. */
  delete(subscriptionId: string): Promise<boolean>;
}

function checkExpiry(context: ServiceContext, expiresAt: number, now: number): number {
  if (expiresAt <= now) throw new HeraldError('INVALID_ARGUMENT', 'expirationDateTime of a subscription must be in the future');
  if (expiresAt > now + context.settings.maxSubscriptionLifetimeMs) {
    const days = Math.floor(context.settings.maxSubscriptionLifetimeMs / 86_400_000);
    throw new HeraldError('INVALID_ARGUMENT', `expirationDateTime of a subscription must be at most ${days} days ahead`);
  }
  return expiresAt;
}

async function existing(context: ServiceContext, subscriptionId: string): Promise<StoredSubscription> {
  const subscription = await context.store.getSubscription(checkId(subscriptionId, 'subscriptionId'));
  if (subscription === undefined) throw new HeraldError('SUBSCRIPTION_NOT_FOUND', 'no subscription has this id');
  return subscription;
}

/** Asks the transport to accept an endpoint; whatever it throws becomes `INVALID_ENDPOINT`. */
async function checkEndpoint(transport: Transport, endpoint: EndpointCandidate): Promise<void> {
  if (transport.checkEndpoint === undefined) return;
  try {
    await transport.checkEndpoint(endpoint);
  } catch (error) {
    if (isHeraldError(error)) throw error;
    const reason = messageOfThrown(error);
    throw new HeraldError('INVALID_ENDPOINT', `the ${transport.name} transport refused this endpoint: ${reason}`, { cause: error });
  }
}

/** Builds the subscription calls over a service's context. */
export function createSubscriptionsApi(context: ServiceContext): SubscriptionsApi {
  const { store, clock, events, settings } = context;
  return {
    async create(userId, request) {
      context.assertOpen();
      checkId(userId, 'userId');
      const content = validateSubscription(request);
      const transport = context.transports.get(content.transport);
      if (transport === undefined) {
        const known = [...context.transports.keys()].join(', ') || 'none';
        throw new HeraldError('UNKNOWN_TRANSPORT', `no transport named ${JSON.stringify(content.transport)} is registered (registered: ${known})`);
      }
      await checkEndpoint(transport, {
        userId,
        targetHostName: content.targetHostName,
        platformType: content.platformType,
        address: content.address,
        ...(content.secret === undefined ? {} : { secret: content.secret }),
      });
      const now = clock.now();
      const expiresAt = checkExpiry(context, content.expiresAt ?? now + settings.subscriptionLifetimeMs, now);
      const current = await store.listSubscriptions(userId);
      if (current.length >= settings.maxSubscriptionsPerUser) {
        throw new HeraldError('TOO_MANY_SUBSCRIPTIONS', `this user already has ${current.length} subscriptions; delete unused ones first`);
      }
      const subscription = await store.createSubscription(
        {
          userId,
          targetHostName: content.targetHostName,
          platformType: content.platformType,
          transport: content.transport,
          address: content.address,
          ...(content.secret === undefined ? {} : { secret: content.secret }),
          expiresAt,
        },
        now,
      );
      events.emit('subscription.created', { subscription });
      return subscription;
    },

    async get(subscriptionId) {
      context.assertOpen();
      return store.getSubscription(checkId(subscriptionId, 'subscriptionId'));
    },

    async list(userId) {
      context.assertOpen();
      return store.listSubscriptions(checkId(userId, 'userId'));
    },

    async renew(subscriptionId, expirationDateTime) {
      context.assertOpen();
      const subscription = await existing(context, subscriptionId);
      const now = clock.now();
      const expiresAt = checkExpiry(
        context,
        expirationDateTime === undefined ? now + settings.subscriptionLifetimeMs : checkTime(expirationDateTime, 'expirationDateTime'),
        now,
      );
      const expired = subscription.status === 'active' ? expiryOf(subscription) <= now : subscription.statusReason === 'expired';
      if (subscription.status !== 'active' && !expired) {
        throw new HeraldError('SUBSCRIPTION_INACTIVE', `this subscription was deactivated (${subscription.statusReason ?? 'no reason given'}); create a new one`);
      }
      const renewed = await store.updateSubscription(subscription.id, { expiresAt, status: 'active', statusReason: null }, now);
      if (renewed === undefined) throw new HeraldError('SUBSCRIPTION_NOT_FOUND', 'no subscription has this id');
      events.emit('subscription.renewed', { subscription: renewed });
      return renewed;
    },

    async deactivate(subscriptionId, reason) {
      context.assertOpen();
      checkText(reason, 'reason');
      const subscription = await existing(context, subscriptionId);
      const updated = await store.updateSubscription(subscription.id, { status: 'inactive', statusReason: reason }, clock.now());
      if (updated === undefined) throw new HeraldError('SUBSCRIPTION_NOT_FOUND', 'no subscription has this id');
      events.emit('subscription.deactivated', { subscription: updated });
      return updated;
    },

    async delete(subscriptionId) {
      context.assertOpen();
      const id = checkId(subscriptionId, 'subscriptionId');
      const deleted = await store.deleteSubscription(id, clock.now());
      if (deleted) events.emit('subscription.deleted', { subscriptionId: id });
      return deleted;
    },
  };
}
