/**
 * Lua for the scripts that read or change a user's subscriptions or preferences (the
 * recipient a send plans for). Every change of either sets the user's subscription
 * version (`sv` in the user's hash) to a fresh token from the caller, so a save can tell
 * whether the recipient it planned its deliveries from is still the user's: a stale plan
 * is refused and planned again, never stored. A token rather than a counter: a keyspace
 * emptied and written again never repeats an old version. Preferences are the string
 * `prefs:<user>` (JSON as the store was given it; absent when never set).
 */

/**
 * The fields of a subscription's hash in the order rows list them (`subscriptionFromRow`
 * in records.ts reads them by position).
 */
const subscriptionRowFields = ['id', 'u', 'host', 'pl', 'tr', 'addr', 'cdt', 'mdt', 'edt', 'st', 'sec', 'rsn'] as const;

/** The row fields as Lua arguments (`'id', 'u', …`), for an `HMGET` of a subscription's hash. */
export const subscriptionRowArguments = subscriptionRowFields.map((name) => `'${name}'`).join(', ');

/** Goes after the prelude, before a script's body. */
export const subscriptionLua = String.raw`
local function subscription_version(u) return redis.call('HGET', ukey('user', u), 'sv') or '' end
local function subscriptions_changed(u, token) redis.call('HSET', ukey('user', u), 'sv', token) end
local function user_preferences(u) return redis.call('GET', ukey('prefs', u)) or '' end

-- The user's subscriptions oldest first, each as the values of the row fields in order.
local function subscription_rows(u)
  local out = {}
  for _, id in ipairs(redis.call('ZRANGE', ukey('subs', u), 0, -1)) do
    local row = redis.call('HMGET', T .. ':sub:' .. id, ${subscriptionRowArguments})
    if row[1] then out[#out + 1] = row end
  end
  return out
end

-- The refusal of a write planned for a recipient that changed since: the recipient as it stands.
local function stale_recipient(u) return {'stale', subscription_version(u), subscription_rows(u), user_preferences(u)} end
`;
