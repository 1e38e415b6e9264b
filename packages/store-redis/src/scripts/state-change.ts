/**
 * Lua of a notification's state change (read and action state) with its sync deliveries
 * (cross-device sync), in one script: the change and the syncs are written together or
 * not at all.
 *
 * Coalescing mirrors core's `isWaitingSync`: a listed sync to a subscription that already
 * has an open sync of this notification without a lease (`lt`) is not created; that one
 * sends the state as it is when attempted. The conformance group `sync` checks the rule.
 */
import { prelude } from './prelude.js';
import { subscriptionLua } from './subscription-lua.js';

/**
 * ARGV: tag, user, id, now, now as text, read state ('' keeps it), action state ('' keeps
 * it), planned ('1' when syncs were planned), the subscription version they were planned
 * at, the notification's feed position they were planned for, sync count, then per sync:
 * id, subscription, transport, platform, first attempt.
 * Returns `{'missing'}` (missing or expired), `{'stale', version, rows, preferences}` (the subscriptions
 * changed since that version: nothing written), `{'moved'}` (the notification's content
 * changed since it was read: nothing written), `{'taken', id}` (a sync id in use), or
 * `{'row', row, created sync ids…}`.
 */
export const updateNotificationState =
  prelude +
  subscriptionLua +
  String.raw`
local u, id, now = ARGV[2], ARGV[3], ARGV[4]
local planned = ARGV[8] == '1'
if planned then
  local version = subscription_version(u)
  if version ~= ARGV[9] then return stale_recipient(u) end
end
local key = note_key(u, id)
local flat = redis.call('HGETALL', key)
if #flat == 0 then return {'missing'} end
local note = to_map(flat)
if tonumber(note.exp) <= tonumber(now) then return {'missing'} end
if planned and note.pos ~= ARGV[10] then return {'moved'} end
local rs, as = note.rs, note.as
if ARGV[6] ~= '' then rs = ARGV[6] end
if ARGV[7] ~= '' then as = ARGV[7] end
if rs == note.rs and as == note.as then return {'row', note_row(u, id)} end

-- The syncs to create: checked before the first change.
local count = tonumber(ARGV[11]) or 0
local dlv = cjson.decode(note.dlv)
local waiting, fresh, created = {}, {}, {}
if count > 0 then
  for _, d in ipairs(dlv) do
    local f = redis.call('HMGET', delivery_key(user_ref(u, d)), 'k', 'st', 'sub', 'lt')
    if f[1] == 'sync' and is_open(f[2]) and not f[4] then waiting[f[3]] = true end
  end
end
for i = 1, count do
  local b = 12 + (i - 1) * 5
  local d = ARGV[b]
  if fresh[d] or redis.call('EXISTS', delivery_key(user_ref(u, d))) == 1 then return {'taken', d} end
  fresh[d] = true
  if not waiting[ARGV[b + 1]] then created[#created + 1] = b end
end

local seq = redis.call('HINCRBY', ukey('user', u), 'seq', 1)
redis.call('ZREM', ukey('changes', u), 'n:' .. id)
redis.call('ZADD', ukey('changes', u), seq, 'n:' .. id)
redis.call('HSET', key, 'rs', rs, 'as', as, 'mdt', ARGV[5], 'seq', seq)
if rs ~= note.rs then
  if rs == 'unread' then
    redis.call('ZADD', ukey('unread', u), note.pos, id)
    count_unread(u, note.host, note.grp, 1)
  else
    redis.call('ZREM', ukey('unread', u), id)
    count_unread(u, note.host, note.grp, -1)
  end
end

local out = {'row', note_row(u, id)}
if #created > 0 then
  local due = {}
  for _, b in ipairs(created) do
    add_delivery(u, id, ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], 'sync', ARGV[b + 4], now, due)
    dlv[#dlv + 1] = ARGV[b]
    out[#out + 1] = ARGV[b]
  end
  call_sliced('ZADD', DUE, due)
  redis.call('HSET', key, 'dlv', cjson.encode(dlv))
end
return out
`;
