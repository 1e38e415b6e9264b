/**
 * Logging of the connection of a client the store created: the first error of an outage
 * as `CONNECTION_LOST` and the next `ready` as `CONNECTION_RESTORED` — one pair per outage,
 * not a line per reconnection attempt (ioredis retries every second at most).
 */
import type { Logger } from '@herald/core/store';
import type { RedisLink } from './redis-link.js';

/** Logs the ups and downs of `link`'s client, which the store owns, to `log`. */
export function logConnection(link: RedisLink, log: Logger): void {
  let lostAt: number | undefined;
  link.client.on('error', (error: Error) => {
    if (lostAt !== undefined) return;
    lostAt = Date.now();
    try {
      log.warn({ code: 'CONNECTION_LOST', where: link.where, err: error }, `[herald] [store-redis] lost the connection to ${link.where} (${error.message}); calls fail with STORE_UNAVAILABLE until it is back`);
    } catch {
      // A logger that throws must not break the client's events.
    }
  });
  link.client.on('ready', () => {
    if (lostAt === undefined) return;
    const downMs = Date.now() - lostAt;
    lostAt = undefined;
    try {
      log.info({ code: 'CONNECTION_RESTORED', where: link.where, downMs }, `[herald] [store-redis] connected to ${link.where} again after ${downMs} ms`);
    } catch {
      // As above.
    }
  });
}
