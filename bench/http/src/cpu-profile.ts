/**
 * Summarises a V8 `.cpuprofile` by self time: which functions and files the samples
 * landed in, as shares of the busy (not idle) samples. Wall-clock samples: a system call
 * that wakes the load generator on a shared core (`writev`) also collects the time the
 * server waits to run again.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

/** The `top` entries by self time, by function and by file, as printable lines. */
export function summarizeProfile(path: string, top = 25): string[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const frame = nodes.get(id)?.callFrame;
    if (frame === undefined || frame.functionName === '(idle)') continue;
    busy += 1;
    // Keep the part of the path that says whose code it is.
    const file = frame.url.replace(/^file:\/\/.*?\/(packages|node_modules\/\.pnpm)\//, '$1/').replace(/^file:\/\/.*\/bench\//, 'bench/') || '(native)';
    const name = `${frame.functionName || '(anonymous)'} ${file}${frame.url === '' ? '' : `:${frame.lineNumber + 1}`}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + 1);
    byFile.set(file, (byFile.get(file) ?? 0) + 1);
  }
  const lines = (counts: Map<string, number>): string[] =>
    [...counts].sort((a, b) => b[1] - a[1]).slice(0, top).map(([key, count]) => `${((count / busy) * 100).toFixed(1).padStart(5)} %  ${key}`);
  return [`${busy} busy samples of ${profile.samples.length}`, '-- self time by function', ...lines(byFunction), '-- self time by file', ...lines(byFile)];
}
