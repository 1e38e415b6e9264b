/**
 * The service's delivery calls: the outbox, seen from the application.
 */
import { checkId, checkLimit, checkOptions, checkText } from './arguments.js';
import type { ServiceContext } from './context.js';
import { HeraldError } from './errors.js';
import { explainNotification, type NotificationExplanation } from './explain.js';
import type { DeliveryRecord } from './records.js';

/** Options of `deliveries.listDead`. */
export interface DeadListOptions {
  /**
   * Most deliveries on the page (1–1000).
   * @default 100
   */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** A page of dead deliveries, oldest first. */
export interface DeadListPage {
  /** The dead deliveries. */
  readonly items: readonly DeliveryRecord[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  readonly nextCursor?: string;
}

/** The delivery calls of a service. */
export interface DeliveriesApi {
  /** The deliveries of one of the user's notifications, with status, attempts and last error. */
  list(userId: string, notificationId: string): Promise<readonly DeliveryRecord[]>;
  /** One delivery of the user. */
  get(userId: string, deliveryId: string): Promise<DeliveryRecord | undefined>;
  /** Dead deliveries of all users (attempts exhausted or a permanent error), oldest first. */
  listDead(options?: DeadListOptions): Promise<DeadListPage>;
  /**
   * Attempts a dead delivery again, now, with a fresh count of attempts.
   * @throws HeraldError `DELIVERY_NOT_FOUND`, `DELIVERY_NOT_DEAD`
   */
  retry(userId: string, deliveryId: string): Promise<DeliveryRecord>;
  /**
   * Cancels the open deliveries of a notification (pending, failed and waiting for a
   * retry, or under way): a scheduled send that is no longer wanted. Returns how many were
   * cancelled, those under way included. An attempt under way cannot be called back (its
   * transport may still reach the endpoint), but its outcome is not recorded and no
   * further attempt starts: the delivery ends `cancelled`.
   * @throws HeraldError `INVALID_ARGUMENT` (a malformed id or reason), `SERVICE_CLOSED`
   */
  cancel(userId: string, notificationId: string, reason?: string): Promise<number>;
  /**
   * Why the user's endpoints did or did not get a notification: per subscription, the
   * decision recorded when it was sent (or last updated) — skipped and by which rule,
   * deferred by quiet hours until when, a critical override — then each delivery with its
   * attempts and outcome.
   * @throws HeraldError `NOTIFICATION_NOT_FOUND`, `INVALID_ARGUMENT`, `SERVICE_CLOSED`
   */
  explain(userId: string, notificationId: string): Promise<NotificationExplanation>;
}

/** Builds the delivery calls over a service's context. */
export function createDeliveriesApi(context: ServiceContext): DeliveriesApi {
  const { store, clock } = context;
  return {
    async list(userId, notificationId) {
      context.assertOpen();
      return store.listDeliveries(checkId(userId, 'userId'), checkId(notificationId, 'notificationId'));
    },

    async get(userId, deliveryId) {
      context.assertOpen();
      return store.getDelivery(checkId(userId, 'userId'), checkId(deliveryId, 'deliveryId'));
    },

    async listDead(options) {
      context.assertOpen();
      const value = checkOptions(options, 'the options', ['limit', 'cursor']);
      const limit = checkLimit(value['limit'], 100, 1000);
      const cursor = value['cursor'] === undefined ? undefined : checkText(value['cursor'], 'cursor', 512);
      const page = await store.listDeadDeliveries(limit, cursor);
      return page.next === undefined ? { items: page.items } : { items: page.items, nextCursor: page.next };
    },

    async retry(userId, deliveryId) {
      context.assertOpen();
      checkId(userId, 'userId');
      checkId(deliveryId, 'deliveryId');
      const before = await store.getDelivery(userId, deliveryId);
      if (before === undefined) throw new HeraldError('DELIVERY_NOT_FOUND', 'this user has no delivery with this id');
      if (before.status !== 'dead') {
        throw new HeraldError('DELIVERY_NOT_DEAD', `only a dead delivery can be retried; this one is ${before.status}`);
      }
      const after = await store.retryDelivery(userId, deliveryId, clock.now());
      if (after === undefined) throw new HeraldError('DELIVERY_NOT_FOUND', 'this user has no delivery with this id');
      if (after.status !== 'pending') {
        throw new HeraldError('DELIVERY_NOT_DEAD', `only a dead delivery can be retried; this one is ${after.status}`);
      }
      context.deliveriesDue();
      return after;
    },

    async cancel(userId, notificationId, reason) {
      context.assertOpen();
      checkId(userId, 'userId');
      checkId(notificationId, 'notificationId');
      const why = reason === undefined ? 'cancelled by the application' : checkText(reason, 'reason');
      return store.cancelDeliveries(userId, notificationId, why, clock.now());
    },

    explain(userId, notificationId) {
      return explainNotification(context, userId, notificationId);
    },
  };
}
