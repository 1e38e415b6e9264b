/**
 * CPU spent by each side, so a shared, loaded machine's wall-clock noise can be told apart
 * from the work done: this process's (process.cpuUsage) and the PostgreSQL server's — the
 * postmaster and its children (backends, background processes; each leads a process group
 * of its own, so they are found by parent), read from /proc, plus what its exited children used.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc's times (Linux's USER_HZ). */
const ticksPerSecond = 100;

/** CPU used so far, in microseconds. */
export interface CpuReading {
  readonly node: number;
  readonly server: number;
}

/** The fields of /proc/<pid>/stat after the command's closing parenthesis. */
function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // exited meanwhile
  }
}

/** The server's CPU so far (µs): its processes' user and system time, and the postmaster's exited children's. */
function serverCpu(postmaster: number): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const fields = statFields(pid);
    // After ")": state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
    if (fields === undefined || (Number(pid) !== postmaster && Number(fields[1]) !== postmaster)) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
    if (Number(pid) === postmaster) ticks += Number(fields[13]) + Number(fields[14]);
  }
  return (ticks * 1e6) / ticksPerSecond;
}

/** A meter of this process's and the cluster's CPU; `dir` is the cluster's directory (its data directory holds postmaster.pid). Linux only. */
export function cpuMeter(dir: string): () => CpuReading {
  const postmaster = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  return () => {
    const { user, system } = process.cpuUsage();
    return { node: user + system, server: serverCpu(postmaster) };
  };
}

/** CPU per operation (µs) between two readings. */
export function cpuPer(before: CpuReading, after: CpuReading, operations: number): CpuReading {
  return { node: (after.node - before.node) / operations, server: (after.server - before.server) / operations };
}
