/**
 * Bad options at creation: each is a `TypeError` (`INVALID_OPTION`) naming the option,
 * thrown at once, before any connection is made; a server that cannot be reached is
 * `STORE_UNAVAILABLE` within the connect timeout.
 */
import { createServer } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isHeraldError } from '@herald/core';
import { createPostgresStore, migratePostgresStore, type PostgresStoreOptions } from '../src/index.js';

const url = 'postgres://postgres@127.0.0.1:1/postgres';

/** Expects `createPostgresStore(options)` (and `migratePostgresStore`) to throw a TypeError at once naming `option`. */
function expectOptionError(options: unknown, option: string): void {
  for (const open of [createPostgresStore, migratePostgresStore]) {
    let thrown: unknown;
    try {
      void open(options as PostgresStoreOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown, `${JSON.stringify(options)}: thrown at once, not a rejection`).toBeInstanceOf(TypeError);
    expect((thrown as { code?: unknown }).code).toBe('INVALID_OPTION');
    expect((thrown as Error).message).toMatch(new RegExp(`^\\[herald\\] \\[store-postgres\\] .*${option}`));
  }
}

describe('options', () => {
  const pool = new pg.Pool({ connectionString: url });
  const refusals: ReadonlyArray<readonly [string, unknown, string]> = [
    ['not an object', undefined, 'options'],
    ['an array', [], 'options'],
    ['neither pool nor connectionString', {}, 'connectionString'],
    ['both pool and connectionString', { pool, connectionString: url }, 'connectionString'],
    ['a pool that is not a pg.Pool', { pool: {} }, 'pool'],
    ['a pool that is a client', { pool: new pg.Client({ connectionString: url }) }, 'pool'],
    ['a connection string of another scheme', { connectionString: 'mysql://127.0.0.1/app' }, 'connectionString'],
    ['a connection string that is not a string', { connectionString: 5432 }, 'connectionString'],
    ['a connection string with a lone surrogate', { connectionString: `${url}?application_name=a\ud800` }, 'connectionString'],
    ['an unknown option, with the likely one named', { connectionString: url, shema: 'app' }, 'shema.*did you mean schema'],
    ['a schema with a quote', { connectionString: url, schema: 'a"b' }, 'schema'],
    ['a schema with a dot', { connectionString: url, schema: 'app.herald' }, 'schema'],
    ['a schema starting with a digit', { connectionString: url, schema: '1app' }, 'schema'],
    ['an empty schema', { connectionString: url, schema: '' }, 'schema'],
    ['a schema too long for the channel name', { connectionString: url, schema: 'x'.repeat(49) }, 'schema'],
    ['a schema of another type', { connectionString: url, schema: 7 }, 'schema'],
    ['a schema PostgreSQL reserves (pg_…)', { connectionString: url, schema: 'pg_herald' }, 'schema'],
    ['the system catalog', { connectionString: url, schema: 'pg_catalog' }, 'schema'],
    ['the standard catalog', { connectionString: url, schema: 'information_schema' }, 'schema'],
    ['migrate not a boolean', { connectionString: url, migrate: 'yes' }, 'migrate'],
    ['a zero connect timeout', { connectionString: url, connectTimeoutMs: 0 }, 'connectTimeoutMs'],
    ['a fractional statement timeout', { connectionString: url, statementTimeoutMs: 1.5 }, 'statementTimeoutMs'],
    ['a statement timeout above ten minutes', { connectionString: url, statementTimeoutMs: 600_001 }, 'statementTimeoutMs'],
    ['no connections', { connectionString: url, maxConnections: 0 }, 'maxConnections'],
    ['maxConnections with the app’s pool', { pool, maxConnections: 5 }, 'maxConnections'],
    ['a logger without its methods', { connectionString: url, logger: { info: () => undefined } }, 'logger'],
  ];
  for (const [what, options, option] of refusals) {
    it(`refuses ${what}`, () => expectOptionError(options, option));
  }

  it('accepts a schema at the longest length and with capitals', () => {
    for (const schema of ['x'.repeat(48), 'App_Herald', '_herald']) {
      const opening = createPostgresStore({ connectionString: url, schema, connectTimeoutMs: 1 });
      expect(opening).toBeInstanceOf(Promise);
      opening.catch(() => undefined);
    }
  });

  it('rejects with STORE_UNAVAILABLE within the connect timeout when nothing answers', async () => {
    // A port that accepts and never answers: the connection is never made.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const started = Date.now();
      const error: unknown = await createPostgresStore({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, connectTimeoutMs: 300 }).catch((caught: unknown) => caught);
      expect(isHeraldError(error, 'STORE_UNAVAILABLE'), String(error)).toBe(true);
      expect(String(error), 'the message names where the store tried to connect').toContain(`127.0.0.1:${port}/postgres`);
      expect(Date.now() - started, 'bounded by connectTimeoutMs, not the driver’s default').toBeLessThan(3_000);
      const refused: unknown = await createPostgresStore({ connectionString: url, connectTimeoutMs: 300 }).catch((caught: unknown) => caught);
      expect(isHeraldError(refused, 'STORE_UNAVAILABLE'), `a refused connection: ${String(refused)}`).toBe(true);
    } finally {
      silent.close();
    }
  });
});
