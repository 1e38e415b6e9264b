/**
 * Lua shared by every script: key names (the same as `keys.ts`) and the steps several
 * scripts repeat. Each script is this prelude followed by its body, so a script stays
 * one self-contained, atomic call.
 *
 * Conventions: `ARGV[1]` is always the shard's hash tag; every key a script touches
 * starts with it, so the script stays in one Cluster slot (on a single server, claims,
 * their completions and the next due time work all shards in one call: `use_shard`). Numbers come in as strings
 * and are stored as given (Lua would print large ones in exponent form); they are
 * compared with `tonumber`. An optional value absent from a hash reads as `false`.
 *
 * The codes and messages a delivery's transitions record come from core's
 * `delivery-transitions.ts`, written into the Lua here, never copied by hand; the steps
 * that change a delivery (`cancel_open` here, completion and retry in `claims.ts` and
 * `deliveries.ts`) are the Lua copy of its rules, which the stores' agreement test checks.
 */
import { deliveryEndCodes } from '@herald/core/store';

/** A TypeScript string as a Lua string literal, for constants the scripts share with the rest of Herald. */
export function luaString(text: string): string {
  // JSON's escapes are Lua's too for the text this is used for (no code point above U+007F).
  if (!/^[\x20-\x7e]*$/.test(text)) throw new TypeError(`luaString takes printable ASCII only: ${JSON.stringify(text)}`);
  return JSON.stringify(text);
}

/** The Lua every script starts with. */
export const prelude = String.raw`
-- The shard's tag and its keys: a script that works several shards of one server
-- (claims and completions on a single Redis) switches with use_shard.
local T, DUE, DEAD, TOMBSTONES, USERS_BY_EXPIRY, SUBSCRIPTIONS_BY_EXPIRY, RETIRED_SEQUENCE
local function use_shard(tag)
  T = tag
  DUE = T .. ':due'
  DEAD = T .. ':dead'
  TOMBSTONES = T .. ':tombstones'
  USERS_BY_EXPIRY = T .. ':users-expiry'
  SUBSCRIPTIONS_BY_EXPIRY = T .. ':sub-expiry'
  -- The highest change sequence a forgotten user of the shard reached (see retire_if_empty).
  RETIRED_SEQUENCE = T .. ':retired-seq'
end
use_shard(ARGV[1])

-- Scripts build many keys of one user: the user's part is made once (Lua strings are
-- interned, so the comparison is by reference).
local last_user, last_user_part
local function user_part(u)
  if u ~= last_user then last_user, last_user_part = u, #u .. ':' .. u end
  return last_user_part
end
local function ukey(kind, u) return T .. ':' .. kind .. ':' .. user_part(u) end
local function note_key(u, id) return ukey('note', u) .. ':' .. id end
local function group_key(u, grp) return ukey('group', u) .. ':' .. grp end
local function app_field(host, app) return #host .. ':' .. host .. app end
local function user_ref(u, id) return user_part(u) .. ':' .. id end
local function delivery_key(ref) return T .. ':dlv:' .. ref end
-- The ids of a deleted notification's sync deliveries, kept beside its tombstone.
local function deletion_syncs_key(u, id) return ukey('tsync', u) .. ':' .. id end

-- A reference "<byte length of user>:<user>:<id>" split back into user and id.
local function split_ref(ref)
  local n, rest = string.match(ref, '^(%d+):(.*)$')
  n = tonumber(n)
  return string.sub(rest, 1, n), string.sub(rest, n + 2)
end

-- A user part "<byte length>:<user>" back into the user.
local function user_of(part)
  local n, rest = string.match(part, '^(%d+):(.*)$')
  return string.sub(rest, 1, tonumber(n))
end

-- The key of a subscription when its id names this shard; nil otherwise.
local function subscription_key(id)
  local shard = string.match(id, '%.s(%d+)$')
  if shard and shard == string.match(T, ':s(%d+)}$') then return T .. ':sub:' .. id end
  return nil
end

-- A notification as scripts return it: these fields in this order (records.ts reads them
-- by position), a fraction of the whole hash (its delivery list can be long).
local NOTE_FIELDS = {'id', 'body', 'cdt', 'mdt', 'rs', 'as', 'seq', 'pos', 'exp', 'host', 'cseq', 'grp'}
local ROW_EXP, ROW_HOST, ROW_CSEQ, ROW_POS, ROW_RS = 9, 10, 11, 8, 5
local function note_row(u, id) return redis.call('HMGET', note_key(u, id), unpack(NOTE_FIELDS)) end

-- Lua's unpack stops near 8,000 values (its C stack), and a notification may have
-- thousands of deliveries: a long argument list goes to Redis in slices of this many
-- (even, so score and member pairs stay together). Returns the sum of the replies.
local SLICE = 4000
local function call_sliced(command, key, args)
  local total = 0
  for i = 1, #args, SLICE do
    local last = math.min(i + SLICE - 1, #args)
    if key then
      total = total + redis.call(command, key, unpack(args, i, last))
    else
      total = total + redis.call(command, unpack(args, i, last))
    end
  end
  return total
end

local function to_map(flat)
  local map = {}
  for i = 1, #flat, 2 do map[flat[i]] = flat[i + 1] end
  return map
end

-- A numeric argument Redis can store and compare (a NaN score would fail the call midway).
local function is_number(text)
  local n = tonumber(text)
  return n ~= nil and n == n
end

local function is_open(status) return status == 'pending' or status == 'failed' end
-- lastError codes of a delivery ended without an attempt (core's deliveryEndCodes).
local CANCELLED, SUPERSEDED = ${luaString(deliveryEndCodes.cancelled)}, ${luaString(deliveryEndCodes.superseded)}

-- The later of two times given as strings, as it was given.
local function later(a, b)
  if tonumber(a) >= tonumber(b) then return a end
  return b
end

-- Unread counts by app, by group and by both, so counting is a look-up, not a scan.
-- Numbers go to Redis as text: Redis prints a Lua number with snprintf, once per argument.
local function bump_count(key, field, delta)
  if redis.call('HINCRBY', key, field, delta) == 0 then redis.call('HDEL', key, field) end
end
local function count_unread(u, host, grp, delta)
  local key = ukey('counts', u)
  delta = delta > 0 and '1' or '-1'
  bump_count(key, '*', delta)
  bump_count(key, 'a:' .. host, delta)
  if grp then
    bump_count(key, 'g:' .. grp, delta)
    bump_count(key, 'ag:' .. app_field(host, grp), delta)
  end
end

-- Keeps the user's place in the shard's purge order in step with their earliest expiry.
local function refresh_user_expiry(u)
  local first = redis.call('ZRANGE', ukey('expiry', u), 0, 0, 'WITHSCORES')
  if #first == 0 then
    redis.call('ZREM', USERS_BY_EXPIRY, user_part(u))
  else
    redis.call('ZADD', USERS_BY_EXPIRY, first[2], user_part(u))
  end
end

-- A user's hash exists while anything of theirs is stored; once the last notification,
-- tombstone and subscription are gone it goes too, so a user with nothing left keeps no
-- key. Their sequence is folded into the shard's retired sequence, where a hash made again
-- starts (next_sequence), so a change cursor from before stays refused, never misread.
local function retire_if_empty(u)
  -- Preferences keep the hash too: its version must not fall back while they are stored.
  if redis.call('EXISTS', ukey('changes', u), ukey('subs', u), ukey('prefs', u)) > 0 then return end
  local key = ukey('user', u)
  local seq = redis.call('HGET', key, 'seq')
  if seq and tonumber(seq) > tonumber(redis.call('GET', RETIRED_SEQUENCE) or '0') then redis.call('SET', RETIRED_SEQUENCE, seq) end
  redis.call('DEL', key)
end

-- The user's next change sequence, as text (a save writes it several times, and text
-- goes to Redis as it is). A user's first one (the counter was absent) goes on from the
-- shard's retired sequence, with every cursor below it refused.
local function next_sequence(u)
  local key = ukey('user', u)
  local seq = redis.call('HINCRBY', key, 'seq', '1')
  if seq ~= 1 then return string.format('%d', seq) end
  local retired = redis.call('GET', RETIRED_SEQUENCE)
  if not retired then return '1' end
  seq = string.format('%d', tonumber(retired) + 1)
  redis.call('HSET', key, 'seq', seq, 'purged', retired)
  return seq
end

-- Writes a new pending delivery of note \`n\` (the one layout of a delivery row) and
-- queues it as due at \`next_at\` in \`due\` (score, member pairs for one ZADD).
local function add_delivery(u, n, id, sub, tr, pl, kind, next_at, now, due)
  local ref = user_ref(u, id)
  redis.call('HSET', delivery_key(ref), 'id', id, 'u', u, 'n', n, 'sub', sub, 'tr', tr, 'pl', pl,
    'k', kind, 'st', 'pending', 'at', '0', 'next', next_at, 'c', now, 'up', now)
  due[#due + 1] = next_at
  due[#due + 1] = ref
end

-- Ends an open delivery as cancelled, leased or not: the holder's completion then finds
-- it no longer open and records nothing, so no attempt starts after the change.
local function cancel_open(u, id, now, code, message)
  local ref = user_ref(u, id)
  local key = delivery_key(ref)
  if not is_open(redis.call('HGET', key, 'st')) then return false end
  redis.call('HSET', key, 'st', 'cancelled', 'next', '', 'ec', code, 'em', message, 'ea', now, 'up', now)
  redis.call('HDEL', key, 'lo', 'lt', 'lx')
  redis.call('ZREM', DUE, ref)
  return true
end

-- The deliveries of a notification, by id: its own while it is stored, else the syncs
-- its deletion made (kept until the tombstone is purged).
local function delivery_ids(u, id)
  local ids = redis.call('HGET', note_key(u, id), 'dlv') or redis.call('GET', deletion_syncs_key(u, id))
  if not ids then return {} end
  return cjson.decode(ids)
end

-- Removes the syncs a deletion made, with its tombstone.
local function drop_deletion_syncs(u, id)
  local key = deletion_syncs_key(u, id)
  local ids = redis.call('GET', key)
  if not ids then return end
  for _, delivery in ipairs(cjson.decode(ids)) do
    local ref = user_ref(u, delivery)
    redis.call('ZREM', DUE, ref)
    redis.call('ZREM', DEAD, ref)
    redis.call('DEL', delivery_key(ref))
  end
  redis.call('DEL', key)
end

-- The live notifications a deletion removes, in order: the one named, or the group's
-- (of one app unless any_app), oldest position first.
local function deletion_targets(u, now, what, target, any_app, host)
  local out = {}
  local candidates = what == 'one' and {target} or redis.call('ZRANGE', group_key(u, target), 0, -1)
  for _, id in ipairs(candidates) do
    local f = redis.call('HMGET', note_key(u, id), 'exp', 'host')
    if f[1] and tonumber(f[1]) > tonumber(now) and (any_app or f[2] == host) then out[#out + 1] = id end
  end
  return out
end

-- Removes a notification (a delete, a purge, or an expired one replaced) with all its
-- deliveries, leaving a tombstone at a new sequence for the change feed.
local function remove_note(u, note, now)
  local id = note.id
  local seq = redis.call('HINCRBY', ukey('user', u), 'seq', '1')
  redis.call('DEL', note_key(u, id))
  redis.call('ZREM', ukey('feed', u), id)
  redis.call('ZREM', ukey('unread', u), id)
  redis.call('ZREM', ukey('expiry', u), id)
  if note.grp then redis.call('ZREM', group_key(u, note.grp), id) end
  redis.call('HDEL', ukey('appids', u), app_field(note.host, note.app))
  redis.call('ZREM', ukey('changes', u), 'n:' .. id)
  redis.call('ZADD', ukey('changes', u), seq, 't:' .. id)
  redis.call('ZADD', TOMBSTONES, now, user_ref(u, id))
  if note.rs == 'unread' then count_unread(u, note.host, note.grp, -1) end
  for _, delivery in ipairs(cjson.decode(note.dlv)) do
    local ref = user_ref(u, delivery)
    redis.call('ZREM', DUE, ref)
    redis.call('ZREM', DEAD, ref)
    redis.call('DEL', delivery_key(ref))
  end
  refresh_user_expiry(u)
end
`;
