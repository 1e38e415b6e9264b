/**
 * Lua of the notification look-ups and deletes: get, delete, delete a group (the save is
 * in `save.ts`, the state change in `state-change.ts`; a notification's hash is described
 * in `save.ts`).
 */
import { prelude } from './prelude.js';

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
