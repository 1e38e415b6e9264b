/**
 * One server under load: the server in a process of its own, autocannon in this one (so
 * the server's CPU is its own), the latency of every answer kept to the microsecond
 * (autocannon's own histogram rounds to whole milliseconds), and the server's CPU time
 * over the measured part read from the server itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { percentile } from '@herald/bench-support';
import { sampleRequest } from '@herald/testing';
import type { ServerReady } from './server.js';

/** A server process and what it said once listening. */
export interface RunningServer extends ServerReady {
  readonly child: ChildProcess;
}

/** What one measured run of one server gave. */
export interface LoadFigures {
  readonly requestsPerSecond: number;
  /** Latency percentiles, in milliseconds. */
  readonly p50: number;
  readonly p99: number;
  /** Server CPU time (user + system) per answered request, in microseconds. */
  readonly cpuPerRequestUs: number;
  /** The part of it spent in the kernel (system time): TCP, wake-ups of the load generator, epoll. */
  readonly systemPerRequestUs: number;
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`the server exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(message as T);
    });
  });
}

/** Starts `mode`'s server, with extra Node flags (`--cpu-prof`, say). */
export async function startServer(mode: string, nodeFlags: readonly string[] = []): Promise<RunningServer> {
  const script = fileURLToPath(new URL('./server.ts', import.meta.url));
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await nextMessage<ServerReady>(child);
  return { ...ready, child };
}

/** Stops a server and waits for its exit (a profiler writes its file before it). */
export async function stopServer(server: RunningServer): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

function serverCpu(server: RunningServer): Promise<NodeJS.CpuUsage> {
  const answer = nextMessage<NodeJS.CpuUsage>(server.child);
  server.child.send('cpu');
  return answer;
}

let counter = 0;

/** Drives `POST /me/notifications` on 64 connections for `seconds`; every answer must be 2xx. */
export async function load(server: RunningServer, seconds: number): Promise<LoadFigures> {
  const latencies: number[] = [];
  const cpuBefore = await serverCpu(server);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${server.port}/me/notifications`,
        connections: 64,
        duration: seconds,
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
      },
      (error, figures) => (error === null || error === undefined ? resolve(figures) : reject(error as Error)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  const cpuAfter = await serverCpu(server);
  const system = cpuAfter.system - cpuBefore.system;
  const cpu = cpuAfter.user - cpuBefore.user + system;
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} answers were not 2xx and ${result.errors} requests failed`);
  const answered = latencies.length;
  return {
    requestsPerSecond: answered / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuPerRequestUs: cpu / answered,
    systemPerRequestUs: system / answered,
  };
}
