/**
 * Scenario 1: send throughput with 256 concurrent senders, Herald against bare INSERTs of
 * the same rows and against pg-boss, in the same run on the same PostgreSQL server, each
 * side in a fresh schema (dropped before and after). Each side warms up, then sends a
 * fixed count; rounds are interleaved so a slow spell of a shared machine falls on all
 * sides, and each side's best round is reported.
 */
import type pg from 'pg';
import { bareInserts } from './bare-inserts.js';
import { cpuPer, type CpuReading } from './cpu.js';
import { heraldSends } from './herald-sends.js';
import { pgBossSends } from './pg-boss-sends.js';
import { connections, senders, type Measured } from './reference.js';
import type { BenchResult } from '@herald/bench-support';

/** The three rates, notifications per second. */
interface SendRates {
  readonly herald: number;
  readonly bare: number;
  readonly pgBoss: number;
}

const schemas = { herald: 'bench_herald', bare: 'bench_bare', pgBoss: 'bench_pgboss' } as const;

async function dropSchemas(admin: pg.Client): Promise<void> {
  for (const schema of Object.values(schemas)) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  // Dead rows of the last side would slow the next one's index pages: start each side on a clean server.
  await admin.query('CHECKPOINT');
}

/** What a run of the sides needs. */
interface SendOptions {
  readonly total: number;
  readonly warmup: number;
  readonly rounds: number;
  readonly log: (line: string) => void;
  /** Reads this process's and the server's CPU so far (µs). */
  readonly cpu: () => CpuReading;
}

async function sendRates(connectionString: string, admin: pg.Client, options: SendOptions): Promise<SendRates> {
  const { total, warmup, log, cpu } = options;
  /** Logs the side's rate and its CPU per send (µs), this process's and the server's. */
  const measured =
    (side: string): Measured =>
    async (sends) => {
      const before = cpu();
      const rate = await sends();
      const per = cpuPer(before, cpu(), total);
      log(`   ${`${side}:`.padEnd(9)}${Math.round(rate)}/s, CPU per send ${per.node.toFixed(0)} µs node + ${per.server.toFixed(0)} µs server`);
      return rate;
    };
  await dropSchemas(admin);
  const herald = await heraldSends(connectionString, schemas.herald, total, warmup, measured('herald'));
  await dropSchemas(admin);
  const bare = await bareInserts(connectionString, schemas.bare, total, warmup, measured('bare'));
  await dropSchemas(admin);
  const pgBoss = await pgBossSends(connectionString, schemas.pgBoss, total, warmup, measured('pg-boss'));
  await dropSchemas(admin);
  return { herald, bare, pgBoss };
}

/** Runs `rounds` rounds of the three sides and reports each side's best round against its target. */
export async function sendThroughput(connectionString: string, admin: pg.Client, options: SendOptions): Promise<BenchResult[]> {
  const runs: SendRates[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    options.log(` round ${round} of ${options.rounds}`);
    runs.push(await sendRates(connectionString, admin, options));
  }
  const best = (side: keyof SendRates): number => Math.max(...runs.map((run) => run[side]));
  const herald = best('herald');
  const bare = best('bare');
  const pgBoss = best('pgBoss');
  const count = `${senders} concurrent senders, ${connections} connections, ${options.total.toLocaleString('en-US')} sends`;
  return [
    {
      scenario: `send (PostgreSQL store, reference notification + 3 deliveries, ${count}) vs bare INSERTs`,
      unit: 'notifications/s',
      herald,
      anchor: 'bare pg INSERTs of the same rows into the same tables, one pipelined transaction per send',
      anchorValue: bare,
      ratio: herald / bare,
      target: '>= 0.8x the bare INSERTs',
      higherIsBetter: true,
      met: herald / bare >= 0.8,
    },
    {
      scenario: `send (PostgreSQL store, reference notification + 3 deliveries, ${count}) vs pg-boss`,
      unit: 'notifications/s',
      herald,
      anchor: 'pg-boss send of the same JSON payload (1 job per notification)',
      anchorValue: pgBoss,
      ratio: herald / pgBoss,
      target: '>= 1.5x pg-boss',
      higherIsBetter: true,
      met: herald / pgBoss >= 1.5,
    },
  ];
}
