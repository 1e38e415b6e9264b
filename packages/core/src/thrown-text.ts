/**
 * The text of anything code outside Herald threw — a transport, a hook, a store, a
 * listener. Anything can be thrown, and `String` refuses some of it (an object without a
 * prototype, a `toString` that throws, an Error whose `message` getter throws): a failure
 * being described must not become a failure of its own (a crash from the dispatcher's
 * loop, a `TypeError` in place of a typed error).
 */

/** What a value reads as when nothing else can be made of it: its tag (`[object Object]`), or a fixed phrase. */
export function plainTextOfThrown(thrown: unknown): string {
  try {
    return Object.prototype.toString.call(thrown);
  } catch {
    // A Proxy whose traps throw.
    return 'a thrown value that cannot be shown as text';
  }
}

/** An Error's message, else the value as text; never throws. */
export function messageOfThrown(thrown: unknown): string {
  try {
    return thrown instanceof Error ? String(thrown.message) : String(thrown);
  } catch {
    return plainTextOfThrown(thrown);
  }
}
