/**
 * Users are spread over a fixed number of shards. Every key of a user, and the shard's
 * indexes of due and dead deliveries, carry the shard's hash tag, so each script touches
 * one Redis Cluster slot; more shards spread the load over more cluster nodes.
 *
 * The shard of a user is FNV-1a (32 bits) of the user id's UTF-8 bytes, modulo the
 * shard count: stable across processes, versions and platforms, which is why the count
 * is recorded in Redis and may never change for a keyspace.
 */
import { Buffer } from 'node:buffer';

/** The shard (0 … `shards` − 1) that holds `userId`'s data. */
export function shardOfUser(userId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(userId, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** The shard numbers of a keyspace, 0 first. */
export function allShards(shards: number): number[] {
  return Array.from({ length: shards }, (_, shard) => shard);
}
