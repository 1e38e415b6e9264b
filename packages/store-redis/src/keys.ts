/**
 * Key names. A shard's keys all start with its hash tag `{prefix:sN}`; a user's keys add
 * the user id with its byte length in front (`{herald:s3}:user:5:alice`), so ids that
 * contain `:` cannot collide. The Lua prelude (`scripts/prelude.ts`) builds the same names
 * inside scripts; the ones here are the first key of each call, which routes it to its
 * slot.
 */
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { allShards, shardOfUser } from './shards.js';

/** A subscription id names its shard, so `getSubscription(id)` needs no user: `<uuid>.s<shard>`. */
const subscriptionIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.s(\d{1,4})$/;

/** Where one call goes: the shard's hash tag (the scripts' first argument) and the routing key. */
export interface ShardRoute {
  /** The shard's hash tag, `{prefix:sN}`. */
  readonly tag: string;
  /** The call's first key; its slot is the tag's. */
  readonly key: string;
}

/** The names of one keyspace: a prefix and its fixed number of shards. */
export class Keyspace {
  /** The keyspace's prefix. */
  readonly prefix: string;
  /** How many shards users are spread over. */
  readonly shards: number;

  constructor(prefix: string, shards: number) {
    this.prefix = prefix;
    this.shards = shards;
  }

  /** Where the keyspace records its shard count and format (no hash tag: read once, on connect). */
  static metaKey(prefix: string): string {
    return `${prefix}:meta`;
  }

  /** The pub/sub channel on which sends wake other processes' dispatchers. */
  get wakeChannel(): string {
    return `${this.prefix}:wake`;
  }

  /** The pub/sub channel on which services announce whose feed changed, for other processes' live feeds. */
  get feedChannel(): string {
    return `${this.prefix}:feed`;
  }

  /** The hash tag of shard `shard`. */
  tag(shard: number): string {
    return `{${this.prefix}:s${shard}}`;
  }

  /** Every shard's route, for calls that visit all of them, routed by the shard's due index. */
  everyShard(): ShardRoute[] {
    return allShards(this.shards).map((shard) => {
      const tag = this.tag(shard);
      return { tag, key: `${tag}:due` };
    });
  }

  /** The route of a call about one user, routed by the user's own hash. */
  user(userId: string): ShardRoute {
    const tag = this.tag(shardOfUser(userId, this.shards));
    return { tag, key: `${tag}:user:${Buffer.byteLength(userId, 'utf8')}:${userId}` };
  }

  /** A fresh subscription id for `userId` (a random GUID, 122 random bits, and the user's shard) and its route. */
  mintSubscription(userId: string): { readonly id: string; readonly route: ShardRoute } {
    const shard = shardOfUser(userId, this.shards);
    const id = `${randomUUID()}.s${shard}`;
    const tag = this.tag(shard);
    return { id, route: { tag, key: `${tag}:sub:${id}` } };
  }

  /** The route of a call about one subscription, or `undefined` when the id is not one this keyspace minted. */
  subscription(subscriptionId: string): ShardRoute | undefined {
    const match = subscriptionIdPattern.exec(subscriptionId);
    const shard = match === null ? Number.NaN : Number(match[1]);
    if (!(shard < this.shards)) return undefined;
    const tag = this.tag(shard);
    return { tag, key: `${tag}:sub:${subscriptionId}` };
  }
}
