/**
 * Lua of the claims, as BullMQ leases its jobs: a claim gives a delivery a lease (owner,
 * random token, expiry) and moves it in the shard's `due` set to the lease's expiry, so
 * once a lease lapses the delivery is simply due again and the next claim on any
 * instance takes it: the due set is the sweep. Only the token holder renews or completes.
 */
import { prelude } from './prelude.js';
import { subscriptionRowArguments } from './subscription-lua.js';

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

/**
 * ARGV: tag (the first shard's), the number of shards, their tags. Returns the earliest
 * time a delivery of these shards becomes claimable, or nil: a cluster asks each shard,
 * a single server all of them in one call.
 */
export const nextDue =
  duePrelude +
  String.raw`
local earliest, earliest_at
for s = 1, tonumber(ARGV[2]) do
  local first = redis.call('ZRANGE', ARGV[2 + s] .. ':due', 0, 0, 'WITHSCORES')
  if #first > 0 and (earliest == nil or tonumber(first[2]) < earliest_at) then earliest, earliest_at = first[2], tonumber(first[2]) end
end
return earliest or false
`;

/**
 * The fields of a delivery's hash in the order a claim's rows list them (`deliveryFromRow`
 * in records.ts reads them by position); the lease is not among them: the claimer knows it.
 */
export const deliveryRowFields = ['id', 'u', 'n', 'sub', 'tr', 'pl', 'k', 'st', 'at', 'next', 'c', 'up', 'dl', 'ec', 'em', 'ea'] as const;

/**
 * ARGV: tag (the first shard's), now, owner, lease expiry, limit, the number of shards,
 * their tags, then `limit` fresh tokens. Leases up to `limit` deliveries due at `now`,
 * the earliest of all the given shards' (ties go to the shard named first): a merge of
 * the shards' due sets, each read a page at a time as the merge reaches its end. A
 * cluster calls it per shard (one tag, the planned count); a single server once for all
 * shards. Returns `{claims, notes, subscriptions}`: per claim the values of
 * `deliveryRowFields`, then the 1-based index of its notification row in `notes` and of
 * its subscription row in `subscriptions` (0 when gone or in another shard); the n-th
 * claim took the n-th token. A notification or subscription that several claims share
 * is read and sent once.
 */
export const claimDeliveries =
  prelude +
  String.raw`
local now, owner, expires, limit, shards = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local TOKENS = 6 + shards
local page = shards == 1 and limit or math.max(8, math.ceil(4 * limit / shards))

-- Each shard's due entries read so far (ref, score, …), where the merge is in them, how
-- many were read, whether the shard may have more, and the due time at the merge's place.
local due, at, read, more, head = {}, {}, {}, {}, {}
local function advance(s)
  if at[s] > #due[s] and more[s] then
    due[s] = redis.call('ZRANGEBYSCORE', ARGV[6 + s] .. ':due', '-inf', now, 'WITHSCORES', 'LIMIT', read[s], page)
    at[s], read[s], more[s] = 1, read[s] + #due[s] / 2, #due[s] == 2 * page
  end
  head[s] = at[s] <= #due[s] and tonumber(due[s][at[s] + 1]) or nil
end
for s = 1, shards do
  due[s], at[s], read[s], more[s] = {}, 1, 0, true
  advance(s)
end

-- All are taken before any is leased: a lease of zero length must not make one claimable twice.
local taken = {}
for s = 1, shards do taken[s] = {} end
for _ = 1, limit do
  local best
  for s = 1, shards do
    if head[s] and (best == nil or head[s] < head[best]) then best = s end
  end
  if best == nil then break end
  local list = taken[best]
  list[#list + 1] = due[best][at[best]]
  at[best] = at[best] + 2
  advance(best)
end

local claims, notes, subscriptions = {}, {}, {}
-- A notification's deliveries fall due together, so one call often claims several of
-- them: each notification row and subscription is read and sent once per call.
local note_at, subscription_at = {}, {}
local token = 0
for s = 1, shards do
  if #taken[s] > 0 then use_shard(ARGV[6 + s]) end
  -- A subscription is read in the delivery's own shard (subscription_key): what one shard
  -- found for an id says nothing of another's, so each shard starts its own look-ups.
  subscription_at = {}
  for _, ref in ipairs(taken[s]) do
    local key = delivery_key(ref)
    local d = redis.call('HMGET', key, ${deliveryRowFields.map((name) => `'${name}'`).join(', ')})
    local st, u, n, sub, next_at = d[8], d[2], d[3], d[4], d[10]
    if not is_open(st) then
      redis.call('ZREM', DUE, ref)
    else
      token = token + 1
      redis.call('HSET', key, 'lo', owner, 'lt', ARGV[TOKENS + token], 'lx', expires)
      redis.call('ZADD', DUE, later(next_at, expires), ref)
      local note_ref = T .. user_ref(u, n)
      local note = note_at[note_ref]
      if not note then
        notes[#notes + 1] = note_row(u, n)
        note = #notes
        note_at[note_ref] = note
      end
      local subscription = subscription_at[sub]
      if not subscription then
        subscription = 0
        local sub_key = subscription_key(sub)
        if sub_key then
          local row = redis.call('HMGET', sub_key, ${subscriptionRowArguments})
          if row[1] then
            subscriptions[#subscriptions + 1] = row
            subscription = #subscriptions
          end
        end
        subscription_at[sub] = subscription
      end
      for i = 1, #d do claims[#claims + 1] = d[i] end
      claims[#claims + 1] = note
      claims[#claims + 1] = subscription
    end
  end
end
return {claims, notes, subscriptions}
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
const completionFieldCount = 9;

/**
 * ARGV: tag (the first completion's), the number of completions, then per completion:
 * its shard's tag, user, delivery id, token, now, outcome status, next attempt (failed)
 * or reason (cancelled), error code, error message (a cluster batches one shard's
 * completions, a single server those of every shard). Records each outcome and releases its lease, in order (group commit, as for
 * sends); replies per completion: 1, 0 (nothing changed: the token does not hold the
 * lease) or -1 (an argument that is no valid outcome: nothing changed). Each is checked
 * before it writes, so one never stops another.
 */
export const completeDeliveries =
  prelude +
  String.raw`
local OUTCOMES = {delivered = true, failed = true, dead = true, expired = true, cancelled = true}

local function complete(b)
  if ARGV[b + 1] ~= T then use_shard(ARGV[b + 1]) end
  b = b + 1
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
