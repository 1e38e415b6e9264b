/**
 * Lua of a deletion (one notification, or a group) with its sync deliveries
 * (cross-device sync), in one script: the notifications go and their syncs are made
 * together, or nothing is written.
 *
 * A deletion's syncs outlive the notification: their ids are kept beside the tombstone
 * (`tsync:<user>:<id>`, a JSON list as a notification's `dlv`), read by `listDeliveries`
 * and `cancelDeliveries` once the notification is gone, and removed with the tombstone
 * by the purge (`drop_deletion_syncs` in the prelude). A claim of one finds no
 * notification row, so the dispatcher sends it as removed. A waiting sync of a state
 * change goes with the notification's other deliveries: an endpoint gets one message.
 */
import { prelude } from './prelude.js';
import { subscriptionLua } from './subscription-lua.js';

/**
 * ARGV: tag, user, now, what ('one' or 'group'), the id or the group, has app ('1' when a
 * group is of one app), app host. Returns the rows of the live notifications the deletion
 * would remove, in the order it removes them: what the syncs are planned from.
 */
export const deletionTargets =
  prelude +
  String.raw`
local u, now = ARGV[2], ARGV[3]
local out = {}
for _, id in ipairs(deletion_targets(u, now, ARGV[4], ARGV[5], ARGV[6] ~= '1', ARGV[7])) do out[#out + 1] = note_row(u, id) end
return out
`;

/**
 * ARGV: tag, user, now, what, id or group, has app, app host (as `deletionTargets`),
 * the subscription version the syncs were planned at, the number of notifications
 * planned for, then per notification: id, feed position, sync count, then per sync: id,
 * subscription, transport, platform, first attempt.
 * Returns `{'stale', version, rows, preferences}` (the subscriptions changed since that version:
 * nothing written), `{'moved'}` (the notifications to delete are not those planned for,
 * or one's content changed: nothing written), `{'taken', id}` (a sync id in use), or
 * `{'deleted', count}`.
 */
export const deleteWithSyncs =
  prelude +
  subscriptionLua +
  String.raw`
local u, now = ARGV[2], ARGV[3]
local version = subscription_version(u)
if version ~= ARGV[8] then return stale_recipient(u) end
local ids = deletion_targets(u, now, ARGV[4], ARGV[5], ARGV[6] ~= '1', ARGV[7])
if #ids ~= tonumber(ARGV[9]) then return {'moved'} end

-- Checked before the first change: the targets are those planned for, the sync ids fresh.
local plans, fresh, b = {}, {}, 10
for i, id in ipairs(ids) do
  if ARGV[b] ~= id or redis.call('HGET', note_key(u, id), 'pos') ~= ARGV[b + 1] then return {'moved'} end
  local count = tonumber(ARGV[b + 2])
  plans[i] = {first = b + 3, count = count}
  for s = 1, count do
    local d = ARGV[b + 3 + (s - 1) * 5]
    if fresh[d] or redis.call('EXISTS', delivery_key(user_ref(u, d))) == 1 then return {'taken', d} end
    fresh[d] = true
  end
  b = b + 3 + count * 5
end

for i, id in ipairs(ids) do
  remove_note(u, to_map(redis.call('HGETALL', note_key(u, id))), now)
  local plan = plans[i]
  if plan.count > 0 then
    local due, made = {}, {}
    for s = 1, plan.count do
      local p = plan.first + (s - 1) * 5
      add_delivery(u, id, ARGV[p], ARGV[p + 1], ARGV[p + 2], ARGV[p + 3], 'sync', ARGV[p + 4], now, due)
      made[#made + 1] = ARGV[p]
    end
    call_sliced('ZADD', DUE, due)
    redis.call('SET', deletion_syncs_key(u, id), cjson.encode(made))
  end
end
return {'deleted', #ids}
`;
