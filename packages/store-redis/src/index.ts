/** `@herald/store-redis`: Herald's store for many processes sharing one Redis or Redis Cluster. */
export { createRedisStore, NAME, type RedisStore } from './redis-store.js';
export type { RedisStoreOptions } from './options.js';
export type { RedisClient, RedisClientBase, RedisClusterClient, RedisServerClient, DuplicateOptions, ScriptArgument } from './client.js';
