/**
 * Lua of the purge of one shard: old tombstones (a user left with nothing goes with the
 * last of them), expired notifications (with their deliveries, leaving tombstones) and
 * expired subscriptions. Each part stops at a batch
 * size so one call never blocks Redis for long; the caller calls again while `more`.
 */
import { prelude } from './prelude.js';
import { subscriptionLua } from './subscription-lua.js';

/**
 * ARGV: tag, now, now as text, tombstones before, most notifications, batch size,
 * subscription version token. Returns `{notifications removed, more, {expired
 * subscription hash, …}}`.
 */
export const purgeShard =
  prelude +
  subscriptionLua +
  String.raw`
local now, now_text, before = ARGV[2], ARGV[3], '(' .. ARGV[4]
local limit, batch = tonumber(ARGV[5]), tonumber(ARGV[6])
local more = false

-- Old tombstones first, so the ones this purge leaves are not purged at once.
for _, member in ipairs(redis.call('ZRANGEBYSCORE', TOMBSTONES, '-inf', before, 'LIMIT', 0, batch)) do
  local u, id = split_ref(member)
  drop_deletion_syncs(u, id)
  local changes = ukey('changes', u)
  local seq = redis.call('ZSCORE', changes, 't:' .. id)
  if seq then
    redis.call('ZREM', changes, 't:' .. id)
    local user = ukey('user', u)
    -- Cursors below the highest purged tombstone can no longer be served.
    if tonumber(seq) > tonumber(redis.call('HGET', user, 'purged') or '0') then redis.call('HSET', user, 'purged', seq) end
    retire_if_empty(u)
  end
  redis.call('ZREM', TOMBSTONES, member)
end
if redis.call('ZCOUNT', TOMBSTONES, '-inf', before) > 0 then more = true end

local removed = 0
while true do
  local first = redis.call('ZRANGEBYSCORE', USERS_BY_EXPIRY, '-inf', now, 'LIMIT', 0, 1)
  if #first == 0 then break end
  if removed >= limit then
    more = true
    break
  end
  local u = user_of(first[1])
  local ids = redis.call('ZRANGEBYSCORE', ukey('expiry', u), '-inf', now, 'LIMIT', 0, limit - removed)
  for _, id in ipairs(ids) do
    local flat = redis.call('HGETALL', note_key(u, id))
    if #flat > 0 then
      remove_note(u, to_map(flat), now)
      removed = removed + 1
    else
      redis.call('ZREM', ukey('expiry', u), id)
    end
  end
  refresh_user_expiry(u)
end

local expired = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', SUBSCRIPTIONS_BY_EXPIRY, '-inf', now, 'LIMIT', 0, batch)) do
  local key = T .. ':sub:' .. id
  if redis.call('HGET', key, 'st') == 'active' then
    redis.call('HSET', key, 'st', 'inactive', 'rsn', 'expired', 'mdt', now_text)
    subscriptions_changed(redis.call('HGET', key, 'u'), ARGV[7])
    expired[#expired + 1] = redis.call('HGETALL', key)
  end
  redis.call('ZREM', SUBSCRIPTIONS_BY_EXPIRY, id)
end
if redis.call('ZCOUNT', SUBSCRIPTIONS_BY_EXPIRY, '-inf', now) > 0 then more = true end
return {removed, more and 1 or 0, expired}
`;
