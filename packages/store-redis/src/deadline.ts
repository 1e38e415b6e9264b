/** A time bound on work that may never settle on its own (a hung connection, a failover). */

/** Settles with `work`, or rejects with `timedOut()` when `ms` pass first; `work` is left to settle unobserved. */
export function bounded<T>(work: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timedOut()), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
