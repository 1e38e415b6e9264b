/**
 * POST /me/notifications on node:http (autocannon, loopback) against a bare node:http
 * handler that parses the same JSON and answers 201, in the same run. Each server runs in
 * a process of its own; the load comes from this one.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { report, type BenchResult } from '@herald/bench-support';
import { sampleRequest } from '@herald/testing';

const json = process.argv.includes('--json');
const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);

interface Started {
  readonly port: number;
  readonly subscriptionId: string;
  stop(): void;
}

type Mode = 'herald' | 'herald-accept' | 'bare';

async function startServer(mode: Mode): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./server.ts', import.meta.url)), mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${mode} server exited (${code})`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  const { port, subscriptionId } = JSON.parse(line) as { port: number; subscriptionId: string };
  return { port, subscriptionId, stop: () => child.kill() };
}

async function requestsPerSecond(server: Started, duration: number): Promise<number> {
  let counter = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}/me/notifications`,
    connections: 64,
    duration,
    method: 'POST',
    headers: { authorization: 'Bearer app-server', 'content-type': 'application/json', 'x-uns-id': server.subscriptionId },
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify(sampleRequest({ appNotificationId: `n-${(counter += 1)}` }, Date.now())),
        }),
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} answers were not 2xx and ${result.errors} requests failed`);
  return result.requests.average;
}

async function measure(mode: Mode): Promise<number> {
  const server = await startServer(mode);
  try {
    await requestsPerSecond(server, 2); // warm-up
    return await requestsPerSecond(server, seconds);
  } finally {
    server.stop();
  }
}

const bare = await measure('bare');
const results: BenchResult[] = [];
for (const [mode, what] of [
  ['herald-accept', 'accepted and stored with 3 deliveries queued; delivery by another process'],
  ['herald', 'accepted, stored, and delivered to 3 endpoints in the same process'],
] as const) {
  const herald = await measure(mode);
  const ratio = herald / bare;
  results.push({
    scenario: `POST /me/notifications on node:http: ${what} (reference example, 64 connections)`,
    unit: 'requests/s',
    herald,
    anchor: 'bare node:http handler parsing the same JSON and answering 201',
    anchorValue: bare,
    ratio,
    target: '>= 0.6x the bare handler',
    higherIsBetter: true,
    met: ratio >= 0.6,
  });
}
report(results, json);
