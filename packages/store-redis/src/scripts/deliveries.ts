/**
 * Lua of the outbox reads and operator actions: list, get, the dead list, retry, cancel.
 *
 * A delivery is a hash `dlv:<user>:<id>`: `id`, `u`, `n` (notification), `sub`, `tr`,
 * `pl`, `k` (kind), `st` (status), `at` (attempts), `next` (next attempt, '' once final),
 * `c`/`up` (created, updated), and when set `dl` (delivered at), `ec`/`em`/`ea` (last
 * error) and `lo`/`lt`/`lx` (lease owner, token, expiry). The shard's `due` set holds
 * every open delivery by when it becomes claimable; its `dead` set the dead ones by death.
 */
import { prelude } from './prelude.js';

/** ARGV: tag, user, notification id. Returns its deliveries' hashes (a deleted one's: its deletion's syncs), oldest first. */
export const listDeliveries =
  prelude +
  String.raw`
local u = ARGV[2]
local out = {}
for _, id in ipairs(delivery_ids(u, ARGV[3])) do
  local flat = redis.call('HGETALL', delivery_key(user_ref(u, id)))
  if #flat > 0 then out[#out + 1] = flat end
end
return out
`;

/** ARGV: tag, user, delivery id. Returns the delivery's hash, or nil. */
export const getDelivery =
  prelude +
  String.raw`
local flat = redis.call('HGETALL', delivery_key(user_ref(ARGV[2], ARGV[3])))
if #flat == 0 then return false end
return flat
`;

/**
 * ARGV: tag, after-time ('' from the start), limit. Returns `{ref, time, hash}` for the
 * dead deliveries from that time on: every one dead at exactly that time (the caller
 * drops those at or before its token) and `limit + 1` more, oldest first.
 */
export const deadPage =
  prelude +
  String.raw`
local from, ties = '-inf', 0
if ARGV[2] ~= '' then
  from = ARGV[2]
  ties = redis.call('ZCOUNT', DEAD, from, from)
end
local page = redis.call('ZRANGEBYSCORE', DEAD, from, '+inf', 'WITHSCORES', 'LIMIT', 0, ties + tonumber(ARGV[3]) + 1)
local out = {}
for i = 1, #page, 2 do
  local flat = redis.call('HGETALL', delivery_key(page[i]))
  if #flat > 0 then out[#out + 1] = {page[i], page[i + 1], flat} end
end
return out
`;

/** ARGV: tag, user, delivery id, now. Makes a dead delivery pending, due now; returns its hash, or nil. */
export const retryDelivery =
  prelude +
  String.raw`
local ref = user_ref(ARGV[2], ARGV[3])
local key = delivery_key(ref)
local flat = redis.call('HGETALL', key)
if #flat == 0 then return false end
if to_map(flat).st ~= 'dead' then return flat end
local now = ARGV[4]
redis.call('HSET', key, 'st', 'pending', 'at', '0', 'next', now, 'up', now)
redis.call('ZREM', DEAD, ref)
redis.call('ZADD', DUE, now, ref)
return redis.call('HGETALL', key)
`;

/** ARGV: tag, user, notification id, reason, now. Cancels its open deliveries, leased or not; returns how many. */
export const cancelDeliveries =
  prelude +
  String.raw`
local u = ARGV[2]
local cancelled = 0
for _, id in ipairs(delivery_ids(u, ARGV[3])) do
  if cancel_open(u, id, ARGV[5], CANCELLED, ARGV[4]) then cancelled = cancelled + 1 end
end
return cancelled
`;
