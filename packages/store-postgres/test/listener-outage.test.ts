/**
 * The listening connection (LISTEN) through an outage: a real server shut down for several
 * of the store's reconnect attempts (one a second), then started again. The store logs one
 * pair per outage — one `CONNECTION_LOST` warning, one `CONNECTION_RESTORED` info once it
 * listens again — and the attempts in between only as `debug`; a logger you give would
 * otherwise print a warning a second for as long as the server is down. Without a logger
 * the same pair is two process warnings, the second ending the store's other failures.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LogFields, Logger } from '@herald/core/store';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';
import { dropSchema } from './schema-stores.js';

/** Long enough for several reconnect attempts (one a second) while the server is down. */
const outageMs = 4_500;
const boundMs = 30_000;

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
});
afterAll(async () => {
  await server?.stop();
});

interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly code: unknown;
  readonly fields: LogFields;
  readonly message: string;
}

/** A logger that keeps every record with its level. */
function recordingLogger(records: LogRecord[]): Logger {
  const at = (level: LogRecord['level']) => (fields: LogFields, message: string): void => void records.push({ level, code: fields['code'], fields, message });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A store of a fresh `schema` whose listening connection is open (a wake-up listener waits on it). */
async function listeningStore(schema: string, logger: Logger | undefined): Promise<PostgresStore> {
  await dropSchema(server.connectionString, schema);
  const store = await createPostgresStore({ connectionString: server.connectionString, schema, migrate: true, connectTimeoutMs: 1000, statementTimeoutMs: 1000, ...(logger === undefined ? {} : { logger }) });
  store.onWake?.(() => undefined);
  await store.onFeedChange?.(() => undefined).ready;
  return store;
}

/** Shuts the server down for {@link outageMs}, then starts it again. */
async function outage(): Promise<void> {
  await server.shutdown();
  await new Promise((resolve) => setTimeout(resolve, outageMs));
  await server.restart();
}

it('logs one CONNECTION_LOST warning and one CONNECTION_RESTORED info per outage, the attempts in between as debug', async () => {
  const records: LogRecord[] = [];
  const store = await listeningStore('listener_outage_logger', recordingLogger(records));
  try {
    for (let round = 1; round <= 2; round += 1) {
      await outage();
      await until(`the listening connection was not back (round ${round})`, () => records.filter((record) => record.code === 'CONNECTION_RESTORED').length === round);
      const lost = records.filter((record) => record.code === 'CONNECTION_LOST');
      expect(lost.filter((record) => record.level === 'warn'), 'one warning per outage').toHaveLength(round);
      expect(lost.filter((record) => record.level === 'warn').at(-1)?.message).toMatch(/^the listening connection to PostgreSQL was lost; connecting again every 1 s until it is back/);
      expect(lost.filter((record) => record.level === 'debug').length, 'the attempts while it was down: detail, not warnings').toBeGreaterThanOrEqual(2 * round);
      const restored = records.filter((record) => record.code === 'CONNECTION_RESTORED');
      expect(restored.map((record) => record.level)).toEqual(Array(round).fill('info'));
      expect(restored.at(-1)?.fields['downMs'], 'how long it was down').toBeGreaterThanOrEqual(outageMs);
      expect(restored.at(-1)?.message).toMatch(/^listening to PostgreSQL again after \d+ ms$/);
      expect(records.filter((record) => record.level === 'warn' || record.level === 'info').map((record) => record.code).filter((code) => code === 'CONNECTION_LOST' || code === 'CONNECTION_RESTORED'), 'in pairs, lost then back').toEqual(
        Array.from({ length: round }, () => ['CONNECTION_LOST', 'CONNECTION_RESTORED']).flat(),
      );
    }
  } finally {
    await store.close();
  }
}, 120_000);

it('without a logger: one process warning that it was lost, one that it is back, which ends the store\'s other failures at once', async () => {
  const warnings: string[] = [];
  const hear = (warning: Error & { code?: string }): void => {
    if (warning.code === 'HERALD_BACKGROUND_ERROR' && warning.message.startsWith('[herald] [store-postgres]')) warnings.push(warning.message);
  };
  process.on('warning', hear);
  const store = await listeningStore('listener_outage_default', undefined);
  try {
    await outage();
    await until('the process warning that it is back was not printed', () => warnings.some((line) => line.startsWith('[herald] [store-postgres] listening to PostgreSQL again after ')));
    await new Promise((resolve) => setImmediate(resolve));
    const back = warnings.findIndex((line) => line.startsWith('[herald] [store-postgres] listening to PostgreSQL again after '));
    const listening = warnings.slice(0, back).filter((line) => line.includes('listening connection'));
    expect(listening, warnings.join('\n---\n')).toHaveLength(1);
    expect(listening[0]).toMatch(/^\[herald\] \[store-postgres\] the listening connection to PostgreSQL was lost; connecting again every 1 s until it is back, without another warning(: .*)? \(repeats are counted: a count follows every 60 s while it lasts\)(\n|$)/);
    // The lost warning's fold is ended with the return, not two minutes later.
    expect(warnings.slice(back + 1).filter((line) => line.includes('listening connection')), warnings.join('\n---\n')).toEqual([
      expect.stringMatching(/ — back after \d+ s, 1 failure in all, the last at \S+$/),
    ]);
  } finally {
    process.off('warning', hear);
    await store.close();
  }
}, 120_000);
