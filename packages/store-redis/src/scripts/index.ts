/**
 * Every Lua script of the store, with its SHA-1: scripts run by `EVALSHA` and are sent
 * whole (`EVAL`, which also caches them) only when a server answers `NOSCRIPT`, after a
 * restart, a `SCRIPT FLUSH` or on a cluster node that has not seen them yet.
 */
import { createHash } from 'node:crypto';
import { claimDeliveries, completeDeliveries, nextDue, peekDue, renewLease } from './claims.js';
import { cancelDeliveries, deadPage, getDelivery, listDeliveries, retryDelivery } from './deliveries.js';
import { countUnread, listChanges, listFeed } from './feed.js';
import { keyspaceMeta } from './keyspace-meta.js';
import { deleteGroup, deleteNotification, getNotification } from './notifications.js';
import { saveNotifications } from './save.js';
import { updateNotificationState } from './state-change.js';
import { deleteWithSyncs, deletionTargets } from './deletion.js';
import { purgeShard } from './purge.js';
import { getDeliveryDecisions, getPreferences, setPreferences } from './preferences.js';
import { createSubscription, deleteSubscription, getSubscription, listSubscriptions, updateSubscription } from './subscriptions.js';

/** A Lua script and the SHA-1 that `EVALSHA` names it by. */
export interface LuaScript {
  /** A name for messages. */
  readonly name: string;
  /** The Lua source. */
  readonly source: string;
  /** SHA-1 of the source, in hex. */
  readonly sha: string;
}

function script(name: string, source: string): LuaScript {
  return Object.freeze({ name, source, sha: createHash('sha1').update(source).digest('hex') });
}

/** The store's scripts by operation. */
export const scripts = {
  keyspaceMeta: script('keyspaceMeta', keyspaceMeta),
  saveNotifications: script('saveNotifications', saveNotifications),
  getNotification: script('getNotification', getNotification),
  updateNotificationState: script('updateNotificationState', updateNotificationState),
  deleteNotification: script('deleteNotification', deleteNotification),
  deleteGroup: script('deleteGroup', deleteGroup),
  deletionTargets: script('deletionTargets', deletionTargets),
  deleteWithSyncs: script('deleteWithSyncs', deleteWithSyncs),
  listFeed: script('listFeed', listFeed),
  countUnread: script('countUnread', countUnread),
  listChanges: script('listChanges', listChanges),
  createSubscription: script('createSubscription', createSubscription),
  getSubscription: script('getSubscription', getSubscription),
  listSubscriptions: script('listSubscriptions', listSubscriptions),
  updateSubscription: script('updateSubscription', updateSubscription),
  deleteSubscription: script('deleteSubscription', deleteSubscription),
  setPreferences: script('setPreferences', setPreferences),
  getPreferences: script('getPreferences', getPreferences),
  getDeliveryDecisions: script('getDeliveryDecisions', getDeliveryDecisions),
  listDeliveries: script('listDeliveries', listDeliveries),
  getDelivery: script('getDelivery', getDelivery),
  deadPage: script('deadPage', deadPage),
  retryDelivery: script('retryDelivery', retryDelivery),
  cancelDeliveries: script('cancelDeliveries', cancelDeliveries),
  peekDue: script('peekDue', peekDue),
  nextDue: script('nextDue', nextDue),
  claimDeliveries: script('claimDeliveries', claimDeliveries),
  renewLease: script('renewLease', renewLease),
  completeDeliveries: script('completeDeliveries', completeDeliveries),
  purgeShard: script('purgeShard', purgeShard),
} as const;
