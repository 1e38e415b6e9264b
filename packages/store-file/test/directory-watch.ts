/**
 * Waiting for a file to appear in a directory, by the file system's own events (inotify
 * on Linux) rather than by sleeping: a test that waits for what it needs cannot fail on a
 * slow or loaded machine.
 */
import { readdirSync, watch } from 'node:fs';

/** Resolves with the first name in `directory` for which `wanted` is true, now or once it appears. */
export function waitForFile(directory: string, wanted: (name: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    // Watch first, then look: a file made between the two is still seen.
    const watcher = watch(directory);
    const look = (): void => {
      const found = readdirSync(directory).find(wanted);
      if (found === undefined) return;
      watcher.close();
      resolve(found);
    };
    watcher.on('change', look);
    watcher.on('error', (error) => {
      watcher.close();
      reject(error);
    });
    look();
  });
}
