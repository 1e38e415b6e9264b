/** Running the test's child processes against the built package (`dist/`), as a user would. */
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The built entry point the children import. */
const builtEntry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** Throws a clear message when the package was not built. */
export function requireBuild(): void {
  if (!existsSync(builtEntry)) {
    throw new Error(`${builtEntry} is missing: build first (cd /work/main && npx tsc -b tsconfig.build.json); pnpm test does`);
  }
}

/** A running child and the complete lines it printed so far. */
export interface Child {
  readonly process: ChildProcessByStdio<null, Readable, Readable>;
  /** Complete lines of stdout, in order (a line cut by a kill is not included). */
  readonly lines: string[];
  /** What it printed on stderr. */
  stderr: string;
  /** Resolves with the first line equal to `line`, or rejects if the child exits first. */
  waitFor(line: string): Promise<void>;
  /** Resolves once `done(lines)` is true (checked after every line), or rejects if the child exits first. */
  waitUntil(done: (lines: readonly string[]) => boolean): Promise<void>;
  /** Resolves when the child has exited. */
  readonly exited: Promise<void>;
}

/** Starts `node <fixture> ...args` (as user `as` when given), collecting its output line by line. */
export function startChild(fixture: string, args: readonly string[], as?: { readonly uid: number; readonly gid: number }): Child {
  const script = fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url));
  // `as`: run it as another (unprivileged) user, for what permissions deny.
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(as === undefined ? {} : { uid: as.uid, gid: as.gid }) });
  const lines: string[] = [];
  let partial = '';
  const waiters: { line: string; resolve: () => void; reject: (error: Error) => void }[] = [];
  const conditions: { done: (lines: readonly string[]) => boolean; resolve: () => void; reject: (error: Error) => void }[] = [];
  let exited = false;
  const result: Child = {
    process: child,
    lines,
    stderr: '',
    waitFor(line) {
      if (lines.includes(line)) return Promise.resolve();
      if (exited) return Promise.reject(new Error(`the child exited before printing ${line}: ${result.stderr}`));
      return new Promise((resolve, reject) => waiters.push({ line, resolve, reject }));
    },
    waitUntil(done) {
      if (done(lines)) return Promise.resolve();
      if (exited) return Promise.reject(new Error(`the child exited before the awaited output: ${result.stderr}`));
      return new Promise((resolve, reject) => conditions.push({ done, resolve, reject }));
    },
    exited: new Promise((resolve) => child.once('exit', () => resolve())),
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (data: string) => {
    const parts = (partial + data).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.line === line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    for (const condition of conditions.filter((c) => c.done(lines))) {
      conditions.splice(conditions.indexOf(condition), 1);
      condition.resolve();
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (data: string) => {
    result.stderr += data;
  });
  child.once('exit', () => {
    exited = true;
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`the child exited before printing ${waiter.line}: ${result.stderr}`));
    for (const condition of conditions.splice(0)) condition.reject(new Error(`the child exited before the awaited output: ${result.stderr}`));
  });
  return result;
}
