/**
 * Lua of the notification writes and look-ups: save (create or upsert, with deliveries
 * and an idempotency key, all or nothing), get, delete, delete a group (the state change
 * is in `state-change.ts`).
 *
 * A notification is a hash `note:<user>:<id>`: `id`, `host`, `app`, `grp` (absent without
 * a group), `body` (the contract content as JSON, opaque to Lua), `cdt`/`mdt` (created and
 * modified, ISO text), `rs`/`as` (read and action state), `seq` (last change), `pos` (feed
 * position: last creation or update), `cseq` (creation), `exp` (expiry, epoch ms) and
 * `dlv` (its delivery ids, oldest first, as a JSON array).
 */
import { supersededDeliveryError } from '@herald/core/store';
import { luaString, prelude } from './prelude.js';
import { subscriptionLua } from './subscription-lua.js';

/**
 * ARGV: tag, user, now, now as text, id, app host, appNotificationId, group, has group,
 * body, expiry, has idempotency, key, fingerprint, key expiry, key TTL (ms), planned
 * (the deliveries were planned from the user's subscriptions at a version), that
 * version, delivery count, then per delivery: id, subscription, transport, platform,
 * kind, first attempt.
 * Returns `{'replay', key hash}`, `{'taken', what, id}`, `{'stale', version, rows}` (the
 * subscriptions changed since that version: nothing written, here they are as they stand)
 * or `{'saved', created, id, createdDateTime, sequence}`.
 */
export const saveNotification =
  prelude +
  subscriptionLua +
  String.raw`
local u, now, now_text = ARGV[2], ARGV[3], ARGV[4]
local id, host, app = ARGV[5], ARGV[6], ARGV[7]
local grp = nil
if ARGV[9] == '1' then grp = ARGV[8] end
local body, exp = ARGV[10], ARGV[11]
local idem_key = nil
if ARGV[12] == '1' then idem_key = ukey('idem', u) .. ':' .. ARGV[13] end

if idem_key then
  local recorded = redis.call('HGETALL', idem_key)
  if #recorded > 0 and tonumber(to_map(recorded).x) > tonumber(now) then return {'replay', recorded} end
end

if ARGV[17] == '1' then
  local version = subscription_version(u)
  if version ~= ARGV[18] then return {'stale', version, subscription_rows(u)} end
end

local count = tonumber(ARGV[19])
local appids = ukey('appids', u)
local afield = app_field(host, app)
local existing_id = redis.call('HGET', appids, afield)
local existing = nil
if existing_id then
  local flat = redis.call('HGETALL', note_key(u, existing_id))
  if #flat > 0 then existing = to_map(flat) end
end
-- An expired notification with the same key counts as absent: it goes, with a tombstone.
local replaced = nil
if existing and tonumber(existing.exp) <= tonumber(now) then
  replaced = existing
  existing = nil
end

-- Everything that can refuse the write is checked before the first change.
if not existing and redis.call('EXISTS', note_key(u, id)) == 1 and not (replaced and replaced.id == id) then
  return {'taken', 'notification', id}
end
local ids, refs, keys, fresh = {}, {}, {}, {}
for i = 1, count do
  local d = ARGV[20 + (i - 1) * 6]
  if fresh[d] then return {'taken', 'delivery', d} end
  fresh[d] = true
  ids[i], refs[i] = d, user_ref(u, d)
  keys[i] = delivery_key(refs[i])
end
-- One EXISTS for them all; which one is taken (a caller's bug) is looked for only then.
if count > 0 and redis.call('EXISTS', unpack(keys)) > 0 then
  local replaced_deliveries = {}
  if replaced then
    for _, d in ipairs(cjson.decode(replaced.dlv)) do replaced_deliveries[d] = true end
  end
  for i = 1, count do
    if not replaced_deliveries[ids[i]] and redis.call('EXISTS', keys[i]) == 1 then return {'taken', 'delivery', ids[i]} end
  end
end

if replaced then remove_note(u, replaced, now) end
local seq = next_sequence(u)
local created = existing == nil
local note_id, cdt, dlv
local key
if created then
  note_id, cdt, dlv = id, now_text, ids
  key = note_key(u, note_id)
  redis.call('HSET', appids, afield, id)
else
  note_id, cdt, dlv = existing.id, existing.cdt, cjson.decode(existing.dlv)
  key = note_key(u, note_id)
  if existing.rs == 'unread' then count_unread(u, existing.host, existing.grp, -1) end
  if existing.grp then
    redis.call('ZREM', group_key(u, existing.grp), note_id)
    if not grp then redis.call('HDEL', key, 'grp') end
  end
  redis.call('ZREM', ukey('changes', u), 'n:' .. note_id)
  -- Open deliveries of the old content are superseded, leased or not.
  for _, d in ipairs(dlv) do cancel_open(u, d, now, SUPERSEDED, ${luaString(supersededDeliveryError.message)}) end
  for i = 1, count do dlv[#dlv + 1] = ids[i] end
end

-- The whole record in one call: cjson would write an empty list as an object.
local fields = {'id', note_id, 'host', host, 'app', app, 'body', body, 'cdt', cdt, 'mdt', now_text,
  'rs', 'unread', 'as', 'noInteraction', 'seq', seq, 'pos', seq, 'exp', exp, 'dlv', #dlv == 0 and '[]' or cjson.encode(dlv)}
if created then
  fields[#fields + 1] = 'cseq'
  fields[#fields + 1] = seq
end
if grp then
  fields[#fields + 1] = 'grp'
  fields[#fields + 1] = grp
  redis.call('ZADD', group_key(u, grp), seq, note_id)
end
redis.call('HSET', key, unpack(fields))
redis.call('ZADD', ukey('feed', u), seq, note_id)
redis.call('ZADD', ukey('unread', u), seq, note_id)
redis.call('ZADD', ukey('expiry', u), exp, note_id)
redis.call('ZADD', ukey('changes', u), seq, 'n:' .. note_id)
count_unread(u, host, grp, 1)
if created then
  -- A new notification can only bring the user's earliest expiry forward.
  redis.call('ZADD', USERS_BY_EXPIRY, 'LT', exp, user_part(u))
else
  refresh_user_expiry(u)
end

local due = {}
for i = 1, count do
  local b = 20 + (i - 1) * 6
  add_delivery(u, note_id, ids[i], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5], now, due)
end
if count > 0 then redis.call('ZADD', DUE, unpack(due)) end

if idem_key then
  -- The key keeps the notification as this call stored it: a replay answers with that.
  redis.call('DEL', idem_key)
  redis.call('HSET', idem_key, 'f', ARGV[14], 'x', ARGV[15], 'c', created and '1' or '0',
    'id', note_id, 'body', body, 'cdt', cdt, 'mdt', now_text, 'rs', 'unread', 'as', 'noInteraction', 'seq', seq)
  redis.call('PEXPIRE', idem_key, ARGV[16])
end
return {'saved', created and 1 or 0, note_id, cdt, seq}
`;

/** ARGV: tag, user, id, now. Returns the notification's row, or nil when missing or expired. */
export const getNotification =
  prelude +
  String.raw`
local row = note_row(ARGV[2], ARGV[3])
if not row[1] or tonumber(row[ROW_EXP]) <= tonumber(ARGV[4]) then return false end
return row
`;

/** ARGV: tag, user, id, now. Returns 1 when deleted, 0 when missing or expired. */
export const deleteNotification =
  prelude +
  String.raw`
local u, now = ARGV[2], ARGV[4]
local flat = redis.call('HGETALL', note_key(u, ARGV[3]))
if #flat == 0 then return 0 end
local note = to_map(flat)
if tonumber(note.exp) <= tonumber(now) then return 0 end
remove_note(u, note, now)
return 1
`;

/**
 * ARGV: tag, user, group, has app, app host, now. Deletes the live notifications of the
 * group (of that app when given), oldest position first; returns how many.
 */
export const deleteGroup =
  prelude +
  String.raw`
local u, grp, host, now = ARGV[2], ARGV[3], ARGV[5], ARGV[6]
local any_app = ARGV[4] ~= '1'
local deleted = 0
for _, id in ipairs(redis.call('ZRANGE', group_key(u, grp), 0, -1)) do
  local flat = redis.call('HGETALL', note_key(u, id))
  if #flat > 0 then
    local note = to_map(flat)
    if tonumber(note.exp) > tonumber(now) and (any_app or note.host == host) then
      remove_note(u, note, now)
      deleted = deleted + 1
    end
  end
end
return deleted
`;
