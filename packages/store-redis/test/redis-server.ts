/**
 * Real Redis servers for the tests: each started by the test that needs it, on a free
 * loopback port, in its own temporary directory, and killed when the test process ends.
 * No mocks: `redis-server` must be installed (CI's `.ci/run` installs Debian's package);
 * when it is missing, starting one fails with a message that says how to install it.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const host = '127.0.0.1';

/** A `redis-server` this test process started. */
export interface RedisServer {
  /** Its loopback port. */
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Its data directory. */
  readonly dir: string;
  /** Stops it (SIGTERM, so an append-only file is complete), keeping its directory for a restart. */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory, after `stop`. */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open but nothing answers, like a hung server. */
  pause(): void;
  /** Lets a paused server go on (SIGCONT). */
  resume(): void;
  /** Stops it for good and deletes its directory. */
  destroy(): Promise<void>;
}

/** How to start one server. */
export interface RedisServerOptions {
  /** Keep an append-only file, so data survives a restart. @default false */
  readonly appendonly?: boolean;
  /** Start it as a cluster node (`--cluster-enabled yes`, its nodes.conf in its directory). @default false */
  readonly cluster?: boolean;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The path of a program on PATH, or a clear error. */
function onPath(program: string): string {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    `[store-redis tests] ${program} is not on PATH. These tests run against a real Redis; install it with ` +
      '`apt-get update && apt-get install -y redis-server` (Debian; then `service redis-server stop`), as .ci/run does.',
  );
}

/** A port that is free now, with port + 10000 free too (a cluster node's bus port). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await listenOnce(0);
    if (port < 55_000 && (await listenOnce(port + 10_000).then(() => true, () => false))) return port;
  }
  throw new Error('[store-redis tests] found no free loopback port');
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : port));
    });
  });
}

/** Sends PING on a raw connection; resolves true on +PONG (not while the server is loading). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let answer = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.on('data', (data) => {
      answer += data.toString();
      if (answer.includes('\r\n')) finish(answer.startsWith('+PONG'));
    });
    socket.write('*1\r\n$4\r\nPING\r\n');
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`[store-redis tests] ${what} within ${timeoutMs} ms`);
}

/** Starts a `redis-server` on a free loopback port and waits until it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const program = onPath('redis-server');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'herald-redis-'));
  const args = [
    '--port', String(port),
    '--bind', host,
    '--dir', dir,
    '--save', '',
    '--appendonly', options.appendonly === true ? 'yes' : 'no',
    '--daemonize', 'no',
    '--logfile', join(dir, 'redis.log'),
    ...(options.cluster === true ? ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-node-timeout', '5000'] : []),
  ];
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const started = spawn(program, args, { stdio: 'ignore' });
    child = started;
    running.add(started);
    started.once('exit', () => running.delete(started));
    await waitFor(`redis-server on port ${port} did not answer PING (see ${dir}/redis.log)`, () => ping(port));
  };

  const stop = async (): Promise<void> => {
    const stopping = child;
    child = undefined;
    if (stopping === undefined || stopping.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => stopping.once('exit', () => resolve()));
    stopping.kill('SIGTERM');
    const timer = setTimeout(() => stopping.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    port,
    url: `redis://${host}:${port}`,
    dir,
    stop,
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async destroy() {
      child?.kill('SIGCONT'); // a paused server cannot act on SIGTERM
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Redis Cluster of masters this test process started. */
export interface RedisClusterServers {
  /** The masters. */
  readonly nodes: readonly RedisServer[];
  /** Startup nodes for ioredis's `Cluster`. */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** Stops every node and deletes their directories. */
  destroy(): Promise<void>;
}

/** Starts `masters` cluster-enabled servers, joins them with `redis-cli --cluster create`, and waits for cluster_state:ok. */
export async function startRedisCluster(masters = 3): Promise<RedisClusterServers> {
  const cli = onPath('redis-cli');
  const nodes: RedisServer[] = [];
  try {
    for (let index = 0; index < masters; index += 1) {
      nodes.push(await startRedisServer({ cluster: true }));
    }
    await run(cli, ['--cluster', 'create', ...nodes.map((node) => `${host}:${node.port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    for (const node of nodes) {
      await waitFor(`the cluster node on port ${node.port} did not report cluster_state:ok`, async () => {
        const { stdout } = await run(cli, ['-p', String(node.port), 'cluster', 'info']);
        return stdout.includes('cluster_state:ok');
      }, 30_000);
    }
  } catch (error) {
    await Promise.all(nodes.map((node) => node.destroy()));
    throw error;
  }
  return {
    nodes,
    startupNodes: nodes.map((node) => ({ host, port: node.port })),
    async destroy() {
      await Promise.all(nodes.map((node) => node.destroy()));
    },
  };
}

/** What {@link clusterReady} waits on: an ioredis Cluster of either major version. */
interface ClusterEvents {
  once(event: 'ready', listener: () => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
}

/** Resolves when `cluster` has learned the slots, rejects on its first error. */
export function clusterReady(cluster: ClusterEvents): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    cluster.once('ready', () => resolve());
    cluster.once('error', reject);
  });
}
