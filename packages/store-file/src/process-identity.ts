/**
 * Who holds a store directory, and whether that process still runs.
 *
 * A pid alone is a weak name: it is only meaningful inside one pid namespace of one boot
 * of one machine, and it is reused once its process exits. So the holder also records,
 * where Linux tells them, the machine's boot id, its pid namespace and its own start time
 * (clock ticks since boot, from `/proc/<pid>/stat`). With all three matching ours, the
 * verdict is exact: the holder runs if and only if a process with its pid and start time
 * exists — however long ago it refreshed its lock (a process stopped with SIGSTOP, or
 * whose event loop is blocked, still runs, and must not lose its directory: a write it
 * resumes would land in the middle of another writer's log). Without them (another host,
 * another container, a system without `/proc`), only the holder's refreshes can tell:
 * it runs while it refreshed its records within `staleLockMs`.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** What a holder records about itself. */
export interface ProcessIdentity {
  /** Its process id. */
  readonly pid: number;
  /** Its host's name. */
  readonly hostname: string;
  /** Linux: `/proc/sys/kernel/random/boot_id`, different after every reboot and on every machine. */
  readonly bootId?: string | undefined;
  /** Linux: its pid namespace (`readlink /proc/self/ns/pid`): pids compare only inside one. */
  readonly pidNamespace?: string | undefined;
  /** Linux: its start time in clock ticks since boot (field 22 of `/proc/<pid>/stat`): a reused pid has another. */
  readonly startTicks?: string | undefined;
}

/** A holder's verdict: does it run, and the words that say why. */
export interface Liveness {
  /** True when the holder runs (or may run: its refreshes are recent). */
  readonly alive: boolean;
  /** Why, for messages: `which is no longer running`, `not refreshed for 12.3 s`, … */
  readonly reason: string;
}

function readOptional(read: () => string): string | undefined {
  try {
    return read().trim();
  } catch {
    return undefined;
  }
}

/**
 * The start time of process `pid` in clock ticks since boot; `null` when no such process
 * exists; `undefined` when this system cannot tell (no `/proc`).
 */
function startTicksOf(pid: number): string | null | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return processExists(pid) ? undefined : null;
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Field 22 overall is the 20th after the name (fields 3 onwards start at index 0).
  return fields[19];
}

let self: ProcessIdentity | undefined;

/** This process's identity (computed once). */
export function currentProcess(): ProcessIdentity {
  self ??= {
    pid: process.pid,
    hostname: hostname(),
    bootId: readOptional(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')),
    pidNamespace: readOptional(() => readlinkSync('/proc/self/ns/pid')),
    startTicks: startTicksOf(process.pid) ?? undefined,
  };
  return self;
}

/** True when process `pid` exists on this host (in this pid namespace). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Judges whether `holder`, whose records were last refreshed at `refreshedAt` (ms since
 * the epoch), still runs, as seen from this process at `now`.
 */
export function judgeHolder(holder: ProcessIdentity | undefined, refreshedAt: number, now: number, staleLockMs: number): Liveness {
  const age = now - refreshedAt;
  const fresh = age <= staleLockMs;
  const byAge: Liveness = fresh
    ? { alive: true, reason: `refreshed ${(age / 1000).toFixed(1)} s ago` }
    : { alive: false, reason: `not refreshed for ${(age / 1000).toFixed(1)} s` };
  // Not written yet (its holder is between creating the lock and naming itself), or unreadable.
  if (holder === undefined) return byAge;
  const me = currentProcess();
  if (holder.hostname !== me.hostname) return byAge;
  const sameKernel = holder.bootId !== undefined && holder.bootId === me.bootId && holder.pidNamespace !== undefined && holder.pidNamespace === me.pidNamespace;
  if (holder.bootId !== undefined && me.bootId !== undefined && !sameKernel) {
    // Same name, but another boot, machine or container: its pid means nothing here.
    return byAge;
  }
  if (sameKernel && holder.startTicks !== undefined) {
    const ticks = startTicksOf(holder.pid);
    if (ticks === null) return { alive: false, reason: 'which is no longer running' };
    if (ticks !== undefined) {
      return ticks === holder.startTicks ? { alive: true, reason: `which is running (${byAge.reason})` } : { alive: false, reason: 'which is no longer running (its pid was reused)' };
    }
  }
  if (!processExists(holder.pid)) return { alive: false, reason: 'which is no longer running' };
  return byAge;
}
