/**
 * Lua of the claims, as BullMQ leases its jobs: a claim gives a delivery a lease (owner,
 * random token, expiry) and moves it in the shard's `due` set to the lease's expiry, so
 * once a lease lapses the delivery is simply due again and the next claim on any
 * instance takes it: the due set is the sweep. Only the token holder renews or completes.
 */
import { prelude } from './prelude.js';

/**
 * What the look-ups of a shard's due index need of the prelude: a claim across shards and
 * a dispatcher's sleep visit every shard, so these run often and define nothing else.
 */
const duePrelude = String.raw`
local DUE = ARGV[1] .. ':due'
`;

/**
 * ARGV: tag, now, limit. Returns the times at which the shard's earliest due deliveries
 * became claimable, earliest first, joined by commas in one string: a claim across shards
 * needs only the times, and one string per shard is far less to send and parse than a
 * reference and a time per delivery.
 */
export const peekDue =
  duePrelude +
  String.raw`
local due = redis.call('ZRANGEBYSCORE', DUE, '-inf', ARGV[2], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
local times = {}
for i = 2, #due, 2 do times[#times + 1] = due[i] end
return table.concat(times, ',')
`;

/** ARGV: tag. Returns the earliest time a delivery of the shard becomes claimable, or nil. */
export const nextDue =
  duePrelude +
  String.raw`
local first = redis.call('ZRANGE', DUE, 0, 0, 'WITHSCORES')
if #first == 0 then return false end
return first[2]
`;

/**
 * ARGV: tag, now, owner, lease expiry, count, then `count` fresh tokens. Leases up to
 * `count` deliveries due at `now`, earliest first; returns `{delivery hash, notification
 * row, subscription hash}` per claim (the row's id is nil when the notification is gone;
 * the subscription hash is empty when it is gone or its id names another shard).
 */
export const claimDeliveries =
  prelude +
  String.raw`
local now, owner, expires = ARGV[2], ARGV[3], ARGV[4]
-- All are taken before any is leased: a lease of zero length must not make one claimable twice.
local refs = redis.call('ZRANGEBYSCORE', DUE, '-inf', now, 'LIMIT', 0, ARGV[5])
local out = {}
-- A notification's deliveries fall due together, so one call often claims several of
-- them: each notification row and subscription is read once per call.
local notes, subscriptions = {}, {}
for i, ref in ipairs(refs) do
  local key = delivery_key(ref)
  local delivery = redis.call('HGETALL', key)
  local d = to_map(delivery)
  if not is_open(d.st) then
    redis.call('ZREM', DUE, ref)
  else
    local token = ARGV[5 + i]
    redis.call('HSET', key, 'lo', owner, 'lt', token, 'lx', expires)
    redis.call('ZADD', DUE, later(d.next, expires), ref)
    -- The hash as it now is: the reader keeps the last value of a field, so the new lease goes last.
    local n = #delivery
    delivery[n + 1], delivery[n + 2], delivery[n + 3], delivery[n + 4], delivery[n + 5], delivery[n + 6] = 'lo', owner, 'lt', token, 'lx', expires
    local note_ref = user_ref(d.u, d.n)
    local note = notes[note_ref]
    if not note then
      note = note_row(d.u, d.n)
      notes[note_ref] = note
    end
    local subscription = subscriptions[d.sub]
    if not subscription then
      subscription = {}
      local sub_key = subscription_key(d.sub)
      if sub_key then subscription = redis.call('HGETALL', sub_key) end
      subscriptions[d.sub] = subscription
    end
    out[#out + 1] = {delivery, note, subscription}
  end
end
return out
`;

/** ARGV: tag, user, delivery id, token, new lease expiry. Returns 1 when renewed, 0 when the token does not hold it. */
export const renewLease =
  prelude +
  String.raw`
local ref = user_ref(ARGV[2], ARGV[3])
local key = delivery_key(ref)
local f = redis.call('HMGET', key, 'st', 'lt', 'next')
if not is_open(f[1]) or f[2] ~= ARGV[4] then return 0 end
redis.call('HSET', key, 'lx', ARGV[5])
redis.call('ZADD', DUE, later(f[3], ARGV[5]), ref)
return 1
`;

/** Arguments of each completion of {@link completeDeliveries}. */
const completionFieldCount = 8;

/**
 * ARGV: tag, the number of completions, then per completion: user, delivery id, token,
 * now, outcome status, next attempt (failed) or reason (cancelled), error code, error
 * message. Records each outcome and releases its lease, in order (group commit, as for
 * sends); replies per completion: 1, 0 (nothing changed: the token does not hold the
 * lease) or -1 (an argument that is no valid outcome: nothing changed). Each is checked
 * before it writes, so one never stops another.
 */
export const completeDeliveries =
  prelude +
  String.raw`
local OUTCOMES = {delivered = true, failed = true, dead = true, expired = true, cancelled = true}

local function complete(b)
  local u, id, token, now, status = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5]
  if not is_number(now) or not OUTCOMES[status] or (status == 'failed' and not is_number(ARGV[b + 6])) then return -1 end
  local ref = user_ref(u, id)
  local key = delivery_key(ref)
  local f = redis.call('HMGET', key, 'st', 'lt', 'at')
  if not is_open(f[1]) or f[2] ~= token then return 0 end
  if status == 'cancelled' then
    cancel_open(u, id, now, CANCELLED, ARGV[b + 6])
    return 1
  end
  redis.call('HDEL', key, 'lo', 'lt', 'lx')
  -- delivered, failed and dead count an attempt.
  local attempts = string.format('%d', (tonumber(f[3]) or 0) + 1)
  if status == 'failed' then
    redis.call('HSET', key, 'st', 'failed', 'at', attempts, 'next', ARGV[b + 6], 'ec', ARGV[b + 7], 'em', ARGV[b + 8], 'ea', now, 'up', now)
    redis.call('ZADD', DUE, ARGV[b + 6], ref)
    return 1
  end
  redis.call('ZREM', DUE, ref)
  if status == 'delivered' then
    redis.call('HSET', key, 'st', 'delivered', 'at', attempts, 'next', '', 'dl', now, 'up', now)
  elseif status == 'dead' then
    redis.call('HSET', key, 'st', 'dead', 'at', attempts, 'next', '', 'ec', ARGV[b + 7], 'em', ARGV[b + 8], 'ea', now, 'up', now)
    redis.call('ZADD', DEAD, now, ref)
  else
    redis.call('HSET', key, 'st', 'expired', 'next', '', 'up', now)
  end
  return 1
end

local replies = {}
for i = 1, tonumber(ARGV[2]) do replies[i] = complete(2 + (i - 1) * ${completionFieldCount}) end
return replies
`;
