/**
 * Real PostgreSQL clusters for the tests: each started by the test that needs it —
 * `initdb` into its own temporary directory, then `postgres` on a free loopback port with
 * its Unix socket in that directory — and killed when the test process ends. No mocks:
 * the server programs must be installed (`scripts/ensure-postgresql.mjs`, run by the test
 * command, installs Debian's package); when they are missing, starting one fails with a
 * message that says how to install them.
 *
 * `initdb` and `postgres` refuse to run as root, and the tests run as root in CI: then the
 * cluster runs as the `postgres` OS user (Debian's package creates it), its directory
 * chowned to it. Run as anyone else, the cluster runs as that user.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { postgresBinDir, postgresProgramDirs } from '../../../scripts/postgres-programs.mjs';

const run = promisify(execFile);
const host = '127.0.0.1';
const superuser = 'postgres';

/** A PostgreSQL cluster this test process started. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  readonly connectionString: string;
  /** Its loopback port. */
  readonly port: number;
  /** Its temporary directory: the data directory (`data/`), the Unix socket and `postgres.log`. */
  readonly dir: string;
  /** Runs SQL through `psql` as the superuser and returns its unaligned, tuples-only output (trimmed). */
  sql(text: string): Promise<string>;
  /** Stops the server (fast shutdown) if it runs, then starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Stops the server (fast shutdown: clients are disconnected) and keeps its data for {@link restart}. */
  shutdown(): Promise<void>;
  /** Crashes the server: SIGKILL to the postmaster and every backend at once. Data stays for {@link restart}. */
  kill(): Promise<void>;
  /** Stops the server for good and deletes its directory. */
  stop(): Promise<void>;
}

/** How to start one cluster. */
export interface PostgresServerOptions {
  /** Extra server settings (`-c name=value`), e.g. `{ max_connections: '300' }`. @default {} */
  readonly settings?: Readonly<Record<string, string>>;
  /** Directories searched, in order, for initdb, postgres, pg_isready and psql. @default PATH, then /usr/lib/postgresql/<major>/bin, newest first */
  readonly programDirs?: readonly string[];
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

/** Signals the server's whole process group (it was spawned detached, as its group's leader). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** The first directory holding every server program the starter runs, or a clear error. */
function serverBinDir(dirs: readonly string[]): string {
  const found = postgresBinDir(dirs);
  if (found === undefined) {
    throw new Error(
      `[store-postgres tests] initdb and postgres were found in none of ${dirs.join(', ')}. These tests run against a real PostgreSQL; ` +
        'install it with `apt-get update && apt-get install -y postgresql` (Debian), as scripts/ensure-postgresql.mjs does.',
    );
  }
  return found;
}

/** The uid and gid to run the cluster as: the `postgres` OS user (from /etc/passwd) when this process is root. */
function clusterUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let entry: string[] | undefined;
  try {
    entry = readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':')).find((fields) => fields[0] === superuser);
  } catch {
    // no passwd file: reported below
  }
  if (entry === undefined) {
    throw new Error(
      '[store-postgres tests] running as root, and PostgreSQL refuses to run as root, but there is no `postgres` OS user to run it as. ' +
        'Installing Debian\'s postgresql package creates it; or run the tests as an ordinary user.',
    );
  }
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`[store-postgres tests] ${what} within ${timeoutMs} ms`);
}

/** Runs `initdb` into a temporary directory and starts `postgres` on a free loopback port; resolves once it accepts connections. */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const bin = serverBinDir(options.programDirs ?? postgresProgramDirs());
  const user = clusterUser();
  const dir = mkdtempSync(join(tmpdir(), 'herald-pg-'));
  const data = join(dir, 'data');
  const runAs = user === undefined ? {} : { uid: user.uid, gid: user.gid };
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  // C locale and UTF-8: the same collation on every machine; --no-sync: a test cluster needs no fsync.
  await run(join(bin, 'initdb'), ['-D', data, '-U', superuser, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    ...runAs,
    cwd: dir,
    timeout: 120_000,
  });

  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: host,
    port: String(port),
    unix_socket_directories: dir,
    // Data must outlive a killed server (the crash tests), not a crashed machine: no fsync,
    // but synchronous_commit stays on so every acknowledged commit is in the WAL.
    fsync: 'off',
    full_page_writes: 'off',
    ...options.settings,
  };
  const args = ['-D', data, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
  const ready = async (): Promise<boolean> =>
    run(join(bin, 'pg_isready'), ['-h', host, '-p', String(port), '-U', superuser, '-d', 'postgres', '-t', '1']).then(() => true, () => false);
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const log = openSync(join(dir, 'postgres.log'), 'a');
    // Detached: the server leads its own process group, so kill() reaches every backend at once.
    const started = spawn(join(bin, 'postgres'), args, { ...runAs, cwd: dir, detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    child = started;
    running.add(started);
    started.once('exit', () => running.delete(started));
    await waitFor(`postgres on port ${port} did not accept connections (see ${dir}/postgres.log)`, async () => {
      if (started.exitCode !== null || started.signalCode !== null) throw new Error(`[store-postgres tests] postgres exited on start (see ${dir}/postgres.log)`);
      return ready();
    });
  };

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const stopping = child;
    child = undefined;
    if (stopping === undefined || stopping.exitCode !== null || stopping.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => stopping.once('exit', () => resolve()));
    // SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
    if (signal === 'SIGKILL') killGroup(stopping, signal);
    else stopping.kill(signal);
    const timer = setTimeout(() => killGroup(stopping, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    if (signal === 'SIGKILL') {
      // The backends were killed with the postmaster; wait until none holds the shared memory, or the next start refuses.
      await waitFor('the killed server\'s backends did not exit', async () => !groupAlive(stopping.pid), 15_000);
    }
  };

  await start();
  return {
    connectionString: `postgres://${superuser}@${host}:${port}/postgres`,
    port,
    dir,
    async sql(text) {
      const { stdout } = await run(join(bin, 'psql'), ['-h', host, '-p', String(port), '-U', superuser, '-d', 'postgres', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', text]);
      return stdout.trim();
    },
    async restart() {
      await halt('SIGINT');
      await start();
    },
    shutdown: () => halt('SIGINT'),
    kill: () => halt('SIGKILL'),
    async stop() {
      await halt('SIGINT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether any process of the group led by `pid` still exists (signal 0 probes without signalling). */
function groupAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
