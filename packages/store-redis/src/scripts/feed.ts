/**
 * Lua of the feed reads: a page of the feed, the unread count and the change feed.
 * A user's feed is three sorted sets of notification ids by feed position (all, unread,
 * and one per group), so the first page is a range read however long the feed is;
 * notifications that expired but are not purged yet are skipped as they come.
 */
import { prelude } from './prelude.js';

/**
 * ARGV: tag, user, now, limit, before ('' for the top), unread only, has group, group,
 * has app, app host. Returns `{more, {row, …}}`: up to `limit` notifications newest
 * first, and 1 when another matching one follows.
 */
export const listFeed =
  prelude +
  String.raw`
local u, now, limit = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local unread_only, has_group, has_app, host = ARGV[6] == '1', ARGV[7] == '1', ARGV[9] == '1', ARGV[10]
local source = ukey('feed', u)
if has_group then source = group_key(u, ARGV[8]) elseif unread_only then source = ukey('unread', u) end
local max = '+inf'
if ARGV[5] ~= '' then max = '(' .. ARGV[5] end
local items, more = {}, 0
local batch = limit + 1
while more == 0 do
  local page = redis.call('ZREVRANGEBYSCORE', source, max, '-inf', 'WITHSCORES', 'LIMIT', 0, batch)
  for i = 1, #page, 2 do
    local row = note_row(u, page[i])
    if row[1] and tonumber(row[ROW_EXP]) > now and (not unread_only or row[ROW_RS] == 'unread') and (not has_app or row[ROW_HOST] == host) then
      if #items == limit then
        more = 1
        break
      end
      items[#items + 1] = row
    end
    max = '(' .. page[i + 1]
  end
  if #page < batch * 2 then break end
  if batch < 512 then batch = batch * 2 end
end
return {more, items}
`;

/**
 * ARGV: tag, user, now, has group, group, has app, app host. Returns the unread count:
 * the kept counter, less unread notifications that expired but are not purged.
 */
export const countUnread =
  prelude +
  String.raw`
local u, now = ARGV[2], ARGV[3]
local has_group, grp, has_app, host = ARGV[4] == '1', ARGV[5], ARGV[6] == '1', ARGV[7]
local field = '*'
if has_app and has_group then field = 'ag:' .. app_field(host, grp)
elseif has_app then field = 'a:' .. host
elseif has_group then field = 'g:' .. grp end
local count = tonumber(redis.call('HGET', ukey('counts', u), field) or '0')
for _, id in ipairs(redis.call('ZRANGEBYSCORE', ukey('expiry', u), '-inf', now)) do
  local f = redis.call('HMGET', note_key(u, id), 'rs', 'host', 'grp')
  if f[1] == 'unread' and (not has_app or f[2] == host) and (not has_group or f[3] == grp) then count = count - 1 end
end
return count
`;

/**
 * ARGV: tag, user, since, limit, now. The change log is a sorted set by sequence of
 * `n:<id>` (a live notification at its last change) and `t:<id>` (a tombstone).
 * Returns `{'ahead', current}`, `{'purged', purgedThrough}` or
 * `{'ok', current, hasMore, {{type, id, sequence, row?}, …}}`.
 */
export const listChanges =
  prelude +
  String.raw`
local u, since, limit, now = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local f = redis.call('HMGET', ukey('user', u), 'seq', 'purged')
local current = tonumber(f[1] or '0')
if since > current then return {'ahead', current} end
if since > 0 and since < tonumber(f[2] or '0') then return {'purged', tonumber(f[2])} end
local changes, more = {}, 0
local min = '(' .. ARGV[3]
local batch = limit + 1
while more == 0 do
  local page = redis.call('ZRANGEBYSCORE', ukey('changes', u), min, '+inf', 'WITHSCORES', 'LIMIT', 0, batch)
  for i = 1, #page, 2 do
    local member, seq = page[i], page[i + 1]
    local id = string.sub(member, 3)
    local change = nil
    if string.sub(member, 1, 2) == 't:' then
      -- A full sync lists what is there: it has nothing to delete.
      if since ~= 0 then change = {'deleted', id, seq} end
    else
      local row = note_row(u, id)
      if row[1] and tonumber(row[ROW_EXP]) > now then
        local kind = 'stateChanged'
        if since == 0 or tonumber(row[ROW_CSEQ]) > since then kind = 'created'
        elseif tonumber(row[ROW_POS]) > since then kind = 'updated' end
        change = {kind, id, seq, row}
      end
    end
    if change then
      if #changes == limit then
        more = 1
        break
      end
      changes[#changes + 1] = change
    end
    min = '(' .. seq
  end
  if #page < batch * 2 then break end
  if batch < 512 then batch = batch * 2 end
end
return {'ok', current, more, changes}
`;
