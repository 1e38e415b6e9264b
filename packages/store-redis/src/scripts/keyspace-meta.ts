/** Lua that records a keyspace's shard count and format on first use and reads them back. */

/**
 * KEYS[1]: the meta hash. ARGV: shard count for a new keyspace, format version.
 * Returns `{shards, format}` as recorded (by this call when the keyspace is new).
 */
export const keyspaceMeta = String.raw`
redis.call('HSETNX', KEYS[1], 'shards', ARGV[1])
redis.call('HSETNX', KEYS[1], 'format', ARGV[2])
return redis.call('HMGET', KEYS[1], 'shards', 'format')
`;
