/**
 * The servers' handlers without sockets, for CPU alone: each request is a real
 * `IncomingMessage` and `ServerResponse` over a stream that discards what is written, run
 * one after another, so the CPU per request is the handler's (no TCP, no load generator
 * on the same cores). Each server runs in a fresh process per round, rounds take the
 * servers in turn (as `main.ts` does), and the spread is printed with the ratios.
 *
 *     npx tsx src/harness.ts [mode…]        # HARNESS_REQUESTS (20000), HARNESS_ROUNDS (3)
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sampleRequest } from '@herald/testing';
import { handlerOf, modes, type Mode } from './handlers.js';
import { oneRequest } from './one-request.js';

let counter = 0;

/** Bodies made before a batch is timed: the reference example, a new appNotificationId each. */
function bodies(count: number): Buffer[] {
  return Array.from({ length: count }, () => Buffer.from(JSON.stringify(sampleRequest({ appNotificationId: `n-${(counter += 1)}` }, Date.now()))));
}

/** CPU per request (µs) of `count` requests to `mode`'s handler, after as many to warm it up. */
async function measure(mode: Mode, count: number): Promise<number> {
  const { handle, subscriptionId } = await handlerOf(mode);
  let cpu = 0;
  for (const timed of [false, true]) {
    const batch = bodies(count);
    const before = process.cpuUsage();
    for (const body of batch) {
      const status = await oneRequest(handle, subscriptionId, body);
      if (status !== 201) throw new Error(`${mode} answered ${status}`);
    }
    const used = process.cpuUsage(before);
    if (timed) cpu = (used.user + used.system) / count;
  }
  return cpu;
}

const child = process.argv.indexOf('--child');
if (child !== -1) {
  process.stdout.write(String(await measure(process.argv[child + 1] as Mode, Number(process.env['HARNESS_REQUESTS'] ?? 20_000))));
  process.exit(0);
}

const chosen = (process.argv.length > 2 ? process.argv.slice(2) : modes.filter((mode) => mode !== 'herald')) as Mode[];
const rounds = Number(process.env['HARNESS_ROUNDS'] ?? 3);
const figures = new Map<Mode, number[]>(chosen.map((mode) => [mode, []]));
const script = fileURLToPath(import.meta.url);
for (let round = 0; round < rounds; round += 1) {
  for (const mode of chosen) {
    const output = execFileSync(process.execPath, [...process.execArgv, script, '--child', mode], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    figures.get(mode)?.push(Number(output));
  }
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
for (const [mode, values] of figures) {
  const ratios = ['bare', 'fastify'].filter((anchor) => anchor !== mode && figures.has(anchor as Mode)).map((anchor) => `${(median(values) / median(figures.get(anchor as Mode) as number[])).toFixed(2)}x ${anchor}`);
  process.stdout.write(`${mode}: CPU per request ${values.map((value) => value.toFixed(1)).join(', ')} µs (median ${median(values).toFixed(1)})${ratios.length > 0 ? `; ${ratios.join(', ')}` : ''}\n`);
}
