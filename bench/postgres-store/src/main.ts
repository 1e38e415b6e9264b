/**
 * The PostgreSQL store's benchmarks, on a PostgreSQL cluster this process starts (initdb
 * into a temporary directory, loopback only) and removes:
 *
 *   pnpm bench [--json] [--sends N] [--rounds N] [--notifications N] [--calls N]
 *
 * 1: send throughput with 256 concurrent senders, against bare INSERTs of the same rows
 *    and against pg-boss.
 * 2: the first feed page and the unread count of a user with 100,000 notifications.
 * Build the packages first (`npx tsc -b tsconfig.build.json` at the root).
 */
import { cpus } from 'node:os';
import pg from 'pg';
import { report, type BenchResult } from '@herald/bench-support';
import { cpuMeter } from './cpu.js';
import { feedReads } from './feed-reads.js';
import { sendThroughput } from './send-throughput.js';
// The cluster starter of the PostgreSQL store's tests: free loopback port, no fsync.
import { startPostgresServer } from '../../../packages/store-postgres/test/postgres-server.js';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} takes a whole number`);
  return value;
}

const json = process.argv.includes('--json');
const log = (line: string): void => {
  if (!json) process.stderr.write(`${line}\n`);
};

// Room for the three sides' pools, pg-boss's own connections and the stores' listeners.
const server = await startPostgresServer({ settings: { max_connections: '200' } });
const admin = new pg.Client({ connectionString: server.connectionString });
await admin.connect();
try {
  const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
  log(`node ${process.version}, PostgreSQL ${rows[0]?.server_version ?? '?'} on port ${server.port} (fsync off), ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
  const results: BenchResult[] = [];
  log('1: sends, 256 concurrent senders …');
  const sends = option('--sends', 20_000);
  results.push(...(await sendThroughput(server.connectionString, admin, { total: sends, warmup: Math.min(2_000, sends), rounds: option('--rounds', 2), log, cpu: cpuMeter(server.dir) })));
  if (!json) report(results, false);
  log('2: feed reads …');
  const feed = await feedReads(server.connectionString, option('--notifications', 100_000), option('--calls', 10_000));
  if (!json) report(feed, false);
  results.push(...feed);
  if (json) report(results, true);
} finally {
  await admin.end();
  await server.stop();
}
