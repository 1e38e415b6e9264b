/**
 * Herald's side of the send benchmark alone, with the server's view of it:
 * `node --import tsx src/profile-send.ts [sends]` (after as many warm-up sends, at most 2,000) prints sends per second, then the
 * statements the sends ran (pg_stat_statements: calls per send, mean ms), so a gap to the
 * bare INSERTs can be read as round trips and statement time. Add `--cpu-prof` before
 * `--import` for a .cpuprofile of the bench process.
 */
import pg from 'pg';
import { cpuMeter, cpuPer, type CpuReading } from './cpu.js';
import { heraldSends } from './herald-sends.js';
// The cluster starter of the PostgreSQL store's tests: free loopback port, no fsync.
import { startPostgresServer } from '../../../packages/store-postgres/test/postgres-server.js';

const total = Number(process.argv[2] ?? 5_000);
const server = await startPostgresServer({ settings: { max_connections: '200', shared_preload_libraries: 'pg_stat_statements' } });
const admin = new pg.Client({ connectionString: server.connectionString });
try {
  await admin.connect();
  await admin.query('CREATE EXTENSION pg_stat_statements');
  process.stderr.write(`PostgreSQL on port ${server.port}\n`);
  // What the server's backends wait on while the sends run, sampled every 20 ms on a connection of its own.
  const sampler = new pg.Client({ connectionString: server.connectionString });
  await sampler.connect();
  const waits = new Map<string, number>();
  let sampling: Promise<void> | undefined;
  let stopped = false;
  const sample = async (): Promise<void> => {
    while (!stopped) {
      const { rows } = await sampler.query<{ wait: string; n: number }>(
        `SELECT coalesce(wait_event_type || ': ' || wait_event, 'running') AS wait, count(*)::int AS n FROM pg_stat_activity
         WHERE backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid() GROUP BY 1`,
      );
      for (const { wait, n } of rows) waits.set(wait, (waits.get(wait) ?? 0) + n);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const meter = cpuMeter(server.dir);
  let cpu: CpuReading | undefined;
  const rate = await heraldSends(server.connectionString, 'bench_profile', total, Math.min(2_000, total), async (sends) => {
    await admin.query('SELECT pg_stat_statements_reset()');
    sampling = sample();
    const before = meter();
    const measured = await sends();
    cpu = cpuPer(before, meter(), total);
    return measured;
  });
  stopped = true;
  await sampling;
  await sampler.end();
  const samples = [...waits.values()].reduce((sum, n) => sum + n, 0);
  process.stdout.write(`backends busy, by wait: ${[...waits].sort((a, b) => b[1] - a[1]).map(([wait, n]) => `${wait} ${((100 * n) / samples).toFixed(0)} %`).join(', ')}\n`);
  const sends = total;
  process.stdout.write(`${Math.round(rate)} notifications/s, CPU per send ${cpu?.node.toFixed(0)} µs node + ${cpu?.server.toFixed(0)} µs server\n`);
  const { rows } = await admin.query<{ calls: string; mean: number; query: string }>(
    `SELECT calls, mean_exec_time AS mean, regexp_replace(query, '\\s+', ' ', 'g') AS query FROM pg_stat_statements
     WHERE calls >= $1 / 1000 ORDER BY calls DESC, total_exec_time DESC LIMIT 20`,
    [sends],
  );
  for (const row of rows) process.stdout.write(`${(Number(row.calls) / sends).toFixed(2)} per send, ${row.mean.toFixed(3)} ms: ${row.query.slice(0, 140)}\n`);
} finally {
  await admin.end();
  await server.stop();
}
