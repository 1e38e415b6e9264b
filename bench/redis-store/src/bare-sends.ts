/**
 * Anchor (a): the floor of a Redis store. A bare ioredis client calls one Lua script per
 * notification that makes the same writes Herald's save script makes for a new
 * notification with three deliveries — the record, its place in the user's feed, unread,
 * group, expiry and change indexes, the unread counters, the app-id index, the sequence
 * bump, the three delivery records and their entries in the shard's due set — and none
 * of its checks (no upsert look-up, no id collision checks, no idempotency key), no
 * endpoint look-up and no argument validation.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { measuredRate, type SideFigures } from './cpu-meter.js';
import { platforms, referenceRequest, senders, userOf } from './reference.js';

/**
 * The script, written as a careful author would: one HSET per record, one ZADD for the
 * three due entries, no reads. KEYS[1]: the user's sequence hash (routes the call).
 * ARGV: tag, user, now, now as text, id, host, app, group, body, expiry, then per
 * delivery: id, subscription, transport, platform, due.
 */
const bareSource = String.raw`
local T, u, now, now_text = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local id, host, app, grp, body, exp = ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]
local up = #u .. ':' .. u
local function ukey(kind) return T .. ':' .. kind .. ':' .. up end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', ukey('appids'), #host .. ':' .. host .. app, id)
local ids, due = {}, {}
for i = 0, 2 do
  local b = 11 + i * 5
  local ref = up .. ':' .. ARGV[b]
  redis.call('HSET', T .. ':dlv:' .. ref, 'id', ARGV[b], 'u', u, 'n', id, 'sub', ARGV[b + 1], 'tr', ARGV[b + 2], 'pl', ARGV[b + 3],
    'k', 'notification', 'st', 'pending', 'at', 0, 'next', ARGV[b + 4], 'c', now, 'up', now)
  ids[#ids + 1] = ARGV[b]
  due[#due + 1] = ARGV[b + 4]
  due[#due + 1] = ref
end
redis.call('ZADD', T .. ':due', unpack(due))
redis.call('HSET', ukey('note') .. ':' .. id, 'id', id, 'host', host, 'app', app, 'grp', grp, 'body', body, 'cdt', now_text, 'mdt', now_text,
  'rs', 'unread', 'as', 'noInteraction', 'seq', seq, 'pos', seq, 'cseq', seq, 'exp', exp, 'dlv', cjson.encode(ids))
redis.call('ZADD', ukey('feed'), seq, id)
redis.call('ZADD', ukey('unread'), seq, id)
redis.call('ZADD', ukey('group') .. ':' .. grp, seq, id)
redis.call('ZADD', ukey('expiry'), exp, id)
redis.call('ZADD', ukey('changes'), seq, 'n:' .. id)
local counts = ukey('counts')
redis.call('HINCRBY', counts, '*', 1)
redis.call('HINCRBY', counts, 'a:' .. host, 1)
redis.call('HINCRBY', counts, 'g:' .. grp, 1)
redis.call('HINCRBY', counts, 'ag:' .. #host .. ':' .. host .. grp, 1)
redis.call('ZADD', T .. ':users-expiry', 'LT', exp, up)
return seq
`;

type SaveCall = (key: string, ...args: (string | number)[]) => Promise<unknown>;

/** Calls the script `total` times with `senders` concurrent callers after `warmup` calls. */
export async function bareSaves(url: string, admin: Redis, total: number, warmup: number): Promise<SideFigures> {
  const client = new Redis(url);
  client.defineCommand('benchSave', { numberOfKeys: 1, lua: bareSource });
  const call = (client as unknown as { benchSave: SaveCall }).benchSave.bind(client);
  try {
    const one = (tag: string) => (index: number) => {
      const userId = userOf(index);
      const tagged = `{bare:s${index % 16}}`;
      const request = referenceRequest(`${tag}-${index}`);
      const now = Date.now();
      const args: (string | number)[] = [tagged, userId, now, new Date(now).toISOString(), randomUUID(), request.targetHostName, request.appNotificationId];
      args.push(request.groupName ?? '', JSON.stringify(request), Date.parse(request.expirationDateTime ?? ''));
      for (const platform of platforms) args.push(randomUUID(), `${userId}-${platform}`, 'noop', platform, now);
      return call(`${tagged}:user:${userId.length}:${userId}`, ...args);
    };
    await measuredRate(admin, warmup, senders, one('warm'));
    return await measuredRate(admin, total, senders, one('n'));
  } finally {
    client.disconnect();
  }
}
