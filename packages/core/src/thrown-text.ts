/**
 * The text of anything code outside Herald threw — a transport, a hook, a store, a
 * listener. Anything can be thrown, and `String` refuses some of it (an object without a
 * prototype, a `toString` that throws, an Error whose `message` getter throws): a failure
 * being described must not become a failure of its own (a crash from the dispatcher's
 * loop, a `TypeError` in place of a typed error).
 */

/**
 * `thrown instanceof type`, false where asking throws: `instanceof` asks a Proxy for its
 * prototype, and its trap may throw.
 */
export function isThrownInstance<T>(thrown: unknown, type: abstract new (...args: never[]) => T): thrown is T {
  try {
    return thrown instanceof type;
  } catch {
    return false;
  }
}

/** What a value reads as when nothing else can be made of it: its tag (`[object Object]`), or a fixed phrase. */
function plainTextOfThrown(thrown: unknown): string {
  try {
    return Object.prototype.toString.call(thrown);
  } catch {
    // A Proxy whose traps throw.
    return 'a thrown value that cannot be shown as text';
  }
}

/**
 * An Error's message, else the value as text; never throws — for a message about
 * anything a transport, a store, a hook or a listener threw.
 * @param thrown - Anything caught.
 * @returns Text: the message, `String(thrown)`, the value's tag (`[object Object]`) or a fixed phrase.
 */
export function messageOfThrown(thrown: unknown): string {
  try {
    return thrown instanceof Error ? String(thrown.message) : String(thrown);
  } catch {
    return plainTextOfThrown(thrown);
  }
}

/** An Error's one line, `Name: message`, else the value as text; never throws. */
export function lineOfThrown(thrown: unknown): string {
  try {
    return thrown instanceof Error ? `${String(thrown.name)}: ${String(thrown.message)}` : String(thrown);
  } catch {
    return plainTextOfThrown(thrown);
  }
}

/**
 * An Error's stack, else `orElse` of it (its message by default); never throws — for a
 * log line about anything caught.
 * @param thrown - Anything caught.
 * @param orElse - The text when there is no stack to show. @default messageOfThrown
 */
export function stackOfThrown(thrown: unknown, orElse: (thrown: unknown) => string = messageOfThrown): string {
  try {
    if (thrown instanceof Error && thrown.stack !== undefined) return String(thrown.stack);
  } catch {
    // A stack getter that throws, or a Proxy: the plainer text below.
  }
  return orElse(thrown);
}
