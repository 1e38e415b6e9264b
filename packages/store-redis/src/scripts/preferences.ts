/**
 * Lua of users' preferences and of the delivery decisions kept with a notification.
 * Setting preferences changes the user's subscription version (see subscription-lua.ts),
 * so a send planned from a cached recipient is refused and planned again with them.
 */
import { prelude } from './prelude.js';
import { subscriptionLua } from './subscription-lua.js';

/** ARGV: tag, user, preferences (JSON), version token. Returns 1. */
export const setPreferences =
  prelude +
  subscriptionLua +
  String.raw`
redis.call('SET', ukey('prefs', ARGV[2]), ARGV[3])
subscriptions_changed(ARGV[2], ARGV[4])
return 1
`;

/** ARGV: tag, user. Returns the user's preferences (JSON), or '' when never set. */
export const getPreferences =
  prelude +
  subscriptionLua +
  String.raw`
return user_preferences(ARGV[2])
`;

/** ARGV: tag, user, notification id. Returns the decisions kept with the notification, or '' when none. */
export const getDeliveryDecisions =
  prelude +
  String.raw`
return redis.call('HGET', note_key(ARGV[2], ARGV[3]), 'dec') or ''
`;
