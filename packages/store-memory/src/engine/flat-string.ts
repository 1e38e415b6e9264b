/**
 * Strings the store keeps for a long time are flattened first. Node's `randomUUID()` and
 * every `a + b` build rope strings: a GUID from `newId()` is a tree of about twenty
 * pieces, some 480 bytes instead of 56. Reading a character flattens a rope in place,
 * and the garbage collector then drops the rope's pieces.
 */

/** `text`, flattened; the same string value. */
export function flat<T extends string>(text: T): T {
  text.charCodeAt(0);
  return text;
}
