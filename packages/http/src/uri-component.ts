/**
 * `encodeURIComponent` without its cost for text it leaves unchanged: the ids and user
 * names in every answer's links are nearly always letters, digits and `-`, and the
 * built-in is a call into the runtime (about 0.3 µs each) even then.
 */

/** True for the characters `encodeURIComponent` never escapes: A–Z a–z 0–9 - _ . ! ~ * ' ( ). */
const unreserved = new Uint8Array(128);
for (const character of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()") unreserved[character.charCodeAt(0)] = 1;

/** `encodeURIComponent(text)`, answered without the call when no character needs escaping. */
export function encodeUriComponent(text: string): string {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 128 || unreserved[code] === 0) return encodeURIComponent(text);
  }
  return text;
}
