/**
 * Lua of the save: notifications with their deliveries and idempotency keys, many sends
 * of one shard in one call (group commit, see `shard-batches.ts`). Each send is applied in
 * turn, as if it had been a call of its own: a later send of the batch sees an earlier
 * one's writes (a second send of the same `appNotificationId` updates the first). Each
 * answers for itself, and every check that can refuse a send, its arguments included,
 * runs before that send writes anything, so a refused send leaves no trace and never
 * stops another: the script itself never fails on a send's data.
 *
 * A notification is a hash `note:<user>:<id>`: `id`, `host`, `app`, `grp` (absent without
 * a group), `body` (the contract content as JSON, opaque to Lua), `cdt`/`mdt` (created and
 * modified, ISO text), `rs`/`as` (read and action state), `seq` (last change), `pos` (feed
 * position: last creation or update), `cseq` (creation), `exp` (expiry, epoch ms) and
 * `dlv` (its delivery ids, oldest first, as a JSON array), `dec` (the delivery decisions its
 * last write kept, opaque; absent when it kept none).
 */
import { supersededDeliveryError } from '@herald/core/store';
import { luaString, prelude } from './prelude.js';
import { subscriptionLua } from './subscription-lua.js';

/** Arguments of one send before its deliveries' (see {@link saveNotifications}). */
const saveFieldCount = 19;
/** Arguments of each delivery of a send. */
const deliveryFieldCount = 6;

/**
 * ARGV: tag, the number of sends, then per send: user, now, now as text, id, app host,
 * appNotificationId, group, has group, body, expiry ('inf' or epoch ms), has idempotency,
 * key, fingerprint, key expiry, key TTL (ms), planned (the deliveries were planned from
 * the user's recipient — subscriptions and preferences — at a version), that version,
 * delivery count, the decisions to keep ('' for none), then per delivery: id,
 * subscription, transport, platform, kind, first attempt.
 * Returns one reply per send, in order: `{'replay', key hash}`, `{'taken', what, id}`,
 * `{'invalid', what}` (an argument that is no number), `{'stale', version, rows,
 * preferences}` (the recipient changed since that version: nothing written, here it is
 * as it stands) or `{'saved', created, id, createdDateTime, sequence}`.
 */
export const saveNotifications =
  prelude +
  subscriptionLua +
  String.raw`
-- The send whose arguments start after ARGV[b]; nothing is written unless it is saved.
local function save(b)
  local u, now, now_text = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]
  local id, host, app = ARGV[b + 4], ARGV[b + 5], ARGV[b + 6]
  local grp = nil
  if ARGV[b + 8] == '1' then grp = ARGV[b + 7] end
  local body, exp = ARGV[b + 9], ARGV[b + 10]
  local idem_key = nil
  if ARGV[b + 11] == '1' then idem_key = ukey('idem', u) .. ':' .. ARGV[b + 12] end
  local count = tonumber(ARGV[b + 18])
  local first = b + ${saveFieldCount}

  -- A number Redis would refuse midway (a NaN score) must refuse the send before its first write.
  if not is_number(now) then return {'invalid', 'now'} end
  if not is_number(exp) then return {'invalid', 'expiry'} end
  if idem_key and not (is_number(ARGV[b + 14]) and is_number(ARGV[b + 15])) then return {'invalid', 'idempotency expiry'} end
  for i = 1, count do
    if not is_number(ARGV[first + (i - 1) * ${deliveryFieldCount} + 6]) then return {'invalid', 'nextAttemptAt'} end
  end

  if idem_key then
    local recorded = redis.call('HGETALL', idem_key)
    if #recorded > 0 and tonumber(to_map(recorded).x) > tonumber(now) then return {'replay', recorded} end
  end

  if ARGV[b + 16] == '1' then
    local version = subscription_version(u)
    if version ~= ARGV[b + 17] then return stale_recipient(u) end
  end

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

  -- Everything that can refuse the write is checked before the first change: one EXISTS
  -- for the new notification id and every new delivery id; which one is taken (a caller's
  -- bug, or an expired notification's own ids) is looked for only then.
  local ids, keys, fresh = {}, {note_key(u, id)}, {}
  for i = 1, count do
    local d = ARGV[first + (i - 1) * ${deliveryFieldCount} + 1]
    if fresh[d] then return {'taken', 'delivery', d} end
    fresh[d] = true
    ids[i] = d
    keys[i + 1] = delivery_key(user_ref(u, d))
  end
  if call_sliced('EXISTS', false, keys) > 0 then
    if not existing and redis.call('EXISTS', keys[1]) == 1 and not (replaced and replaced.id == id) then
      return {'taken', 'notification', id}
    end
    local replaced_deliveries = {}
    if replaced then
      for _, d in ipairs(cjson.decode(replaced.dlv)) do replaced_deliveries[d] = true end
    end
    for i = 1, count do
      if not replaced_deliveries[ids[i]] and redis.call('EXISTS', keys[i + 1]) == 1 then return {'taken', 'delivery', ids[i]} end
    end
  end

  if replaced then remove_note(u, replaced, now) end
  local seq = next_sequence(u)
  local created = existing == nil
  local note_id, cdt, dlv
  if created then
    note_id, cdt, dlv = id, now_text, ids
    redis.call('HSET', appids, afield, id)
  else
    note_id, cdt, dlv = existing.id, existing.cdt, cjson.decode(existing.dlv)
    if existing.rs == 'unread' then count_unread(u, existing.host, existing.grp, -1) end
    if existing.grp then
      redis.call('ZREM', group_key(u, existing.grp), note_id)
      if not grp then redis.call('HDEL', note_key(u, note_id), 'grp') end
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
  -- An update's decisions replace the last write's: they explain the deliveries it made.
  if ARGV[b + 19] ~= '' then
    fields[#fields + 1] = 'dec'
    fields[#fields + 1] = ARGV[b + 19]
  elseif not created then
    redis.call('HDEL', note_key(u, note_id), 'dec')
  end
  if grp then
    fields[#fields + 1] = 'grp'
    fields[#fields + 1] = grp
    redis.call('ZADD', group_key(u, grp), seq, note_id)
  end
  redis.call('HSET', note_key(u, note_id), unpack(fields))
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
    local d = first + (i - 1) * ${deliveryFieldCount}
    add_delivery(u, note_id, ids[i], ARGV[d + 2], ARGV[d + 3], ARGV[d + 4], ARGV[d + 5], ARGV[d + 6], now, due)
  end
  if count > 0 then call_sliced('ZADD', DUE, due) end

  if idem_key then
    -- The key keeps the notification as this call stored it: a replay answers with that.
    redis.call('DEL', idem_key)
    redis.call('HSET', idem_key, 'f', ARGV[b + 13], 'x', ARGV[b + 14], 'c', created and '1' or '0',
      'id', note_id, 'body', body, 'cdt', cdt, 'mdt', now_text, 'rs', 'unread', 'as', 'noInteraction', 'seq', seq)
    redis.call('PEXPIRE', idem_key, ARGV[b + 15])
  end
  return {'saved', created and 1 or 0, note_id, cdt, seq}
end

local replies, b = {}, 2
for i = 1, tonumber(ARGV[2]) do
  replies[i] = save(b)
  b = b + ${saveFieldCount} + tonumber(ARGV[b + 18]) * ${deliveryFieldCount}
end
return replies
`;
