/**
 * Where a send's Redis time goes, write by write: `node --import tsx src/profile-write-costs.ts [rounds]`.
 *
 * One script makes a send's writes in the store's layout — the user's sequence, the app-id
 * index, 3 delivery hashes, the shard's due set, the notification hash, the 5 per-user
 * sorted sets (feed, unread, group, expiry, changes), the 4 unread counters and the shard's
 * users-by-expiry set — for 1,000 users on 16 shards, 500 sends per call, inside Redis (no
 * network, no checks). Each variant leaves one group of writes out, and its Redis CPU per
 * send (`INFO cpu`) against the full set is what that group costs; "deliveries packed" puts
 * the 3 deliveries in the notification hash (one field each) and their ids in one per-user
 * index hash, instead of a hash each. Variants run interleaved, `rounds` times (default 3),
 * 10,000 warm-up sends then 30,000 measured each, on a flushed database.
 */
import { Redis } from 'ioredis';
// The redis-server helper of the Redis store's tests: free loopback port, no persistence.
import { startRedisServer } from '../../../packages/store-redis/test/redis-server.js';

/** ARGV: layout ('own' or 'packed'), first send, sends, the groups to leave out (comma-separated). */
const writes = String.raw`
local layout, first, count = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local skip = {}
for group in string.gmatch(ARGV[4], '[^,]+') do skip[group] = true end
local body = string.rep('x', 560)
local now, now_text, exp = '1764492000000', '2026-11-30T08:00:00.000Z', '1764692000000'
local host, grp = 'graphnotifications.sample.windows.com', 'Group1'
for n = first, first + count - 1 do
  local user = 'user-' .. (n % 1000)
  local T = '{bench:s' .. (n % 16) .. '}'
  local up = #user .. ':' .. user
  local function ukey(kind) return T .. ':' .. kind .. ':' .. up end
  local id = string.format('%08x-aaaa-bbbb-cccc-0123456789ab', n)
  local seq = tostring(redis.call('HINCRBY', ukey('user'), 'seq', '1'))
  redis.call('HSET', ukey('appids'), #host .. ':' .. host .. 'app-' .. n, id)
  local ids, due, index = {}, {}, {}
  local fields = {'id', id, 'host', host, 'app', 'app-' .. n, 'grp', grp, 'body', body, 'cdt', now_text, 'mdt', now_text,
    'rs', 'unread', 'as', 'noInteraction', 'seq', seq, 'pos', seq, 'cseq', seq, 'exp', exp}
  for i = 1, 3 do
    local d = string.format('%08x-dddd-bbbb-cccc-0123456789a%d', n, i)
    local sub = string.format('%08x-eeee-bbbb-cccc-0123456789ab.s3', i)
    local ref = up .. ':' .. d
    if layout == 'own' then
      redis.call('HSET', T .. ':dlv:' .. ref, 'id', d, 'u', user, 'n', id, 'sub', sub, 'tr', 'noop', 'pl', 'windows',
        'k', 'notification', 'st', 'pending', 'at', '0', 'next', now, 'c', now, 'up', now)
    else
      fields[#fields + 1] = 'd:' .. d
      fields[#fields + 1] = table.concat({sub, 'noop', 'windows', 'notification', 'pending', '0', now, now, now}, '\n')
      index[#index + 1] = d
      index[#index + 1] = id
    end
    ids[i] = d
    due[#due + 1] = now
    due[#due + 1] = ref
  end
  if layout == 'own' then
    fields[#fields + 1] = 'dlv'
    fields[#fields + 1] = cjson.encode(ids)
  else
    redis.call('HSET', ukey('dlvidx'), unpack(index))
  end
  if not skip.due then redis.call('ZADD', T .. ':due', unpack(due)) end
  if not skip.note then redis.call('HSET', ukey('note') .. ':' .. id, unpack(fields)) end
  if not skip.indexes then
    redis.call('ZADD', ukey('feed'), seq, id)
    redis.call('ZADD', ukey('unread'), seq, id)
    redis.call('ZADD', ukey('group') .. ':' .. grp, seq, id)
    redis.call('ZADD', ukey('expiry'), exp, id)
    redis.call('ZADD', ukey('changes'), seq, 'n:' .. id)
  end
  if not skip.counters then
    local counts = ukey('counts')
    redis.call('HINCRBY', counts, '*', '1')
    redis.call('HINCRBY', counts, 'a:' .. host, '1')
    redis.call('HINCRBY', counts, 'g:' .. grp, '1')
    redis.call('HINCRBY', counts, 'ag:' .. #host .. ':' .. host .. grp, '1')
  end
  if not skip.users then redis.call('ZADD', T .. ':users-expiry', 'LT', exp, up) end
end
return 1
`;

/** The variants: a name, the delivery layout, the groups left out. */
const variants = [
  ['every write', 'own', ''],
  ['without the due entries', 'own', 'due'],
  ['without the 5 per-user sorted sets', 'own', 'indexes'],
  ['without the notification hash', 'own', 'note'],
  ['without the 4 counters', 'own', 'counters'],
  ['without users-by-expiry', 'own', 'users'],
  ['deliveries packed', 'packed', ''],
  ['only sequence, app id, deliveries', 'own', 'due,indexes,note,counters,users'],
] as const;

const rounds = Number(process.argv[2] ?? 3);
const perCall = 500;
const redis = await startRedisServer();
const client = new Redis(redis.url);
try {
  const sha = String(await client.script('LOAD', writes));
  const cpuSeconds = async (): Promise<number> => {
    const info = await client.info('cpu');
    const seconds = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
    return seconds('used_cpu_user') + seconds('used_cpu_sys');
  };
  const run = async (layout: string, skip: string, from: number, to: number): Promise<void> => {
    for (let first = from; first < to; first += perCall) await client.evalsha(sha, 0, layout, first, perCall, skip);
  };
  const results = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  for (let round = 1; round <= rounds; round += 1) {
    for (const [name, layout, skip] of variants) {
      await client.flushdb();
      await run(layout, skip, 0, 10_000);
      const before = await cpuSeconds();
      await run(layout, skip, 10_000, 40_000);
      results.get(name)?.push(((await cpuSeconds()) - before) * 1e6 / 30_000);
    }
  }
  for (const [name, costs] of results) {
    const sorted = [...costs].sort((a, b) => a - b);
    process.stdout.write(`${name.padEnd(36)} median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} µs per send (${costs.map((cost) => cost.toFixed(1)).join(', ')})\n`);
  }
} finally {
  client.disconnect();
  await redis.destroy();
}
