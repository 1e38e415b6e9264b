/**
 * The query string of a request, read strictly: WHATWG's URLSearchParams turns bytes
 * that are not UTF-8 (a lone surrogate's `%ED%A0%80`, a stray `%FF`) and cut escapes
 * (`%E`) into U+FFFD silently, so `groupName eq 'x%ED%A0%80'` would match a group named
 * `x\ufffd\ufffd\ufffd`. Every name and value must decode as UTF-8 (RFC 3986 §2.1
 * percent-encoding, `+` for a space as HTML forms send it); else the request is refused,
 * as an ill-formed path id or body is.
 */
import { HeraldError } from '@herald/core';

/** A request's query, as routes read it: never changed (a link copies it first). */
export type RequestQuery = Omit<URLSearchParams, 'append' | 'delete' | 'set' | 'sort'>;

/**
 * The query of every request without one (nearly all of them), made once: routes only read
 * a query, so one empty instance serves them all.
 */
const noQuery: RequestQuery = new URLSearchParams();

/** The parameters of `search` (with or without its `?`). @throws HeraldError `INVALID_ARGUMENT` */
export function queryOf(search: string): RequestQuery {
  if (search === '' || search === '?') return noQuery;
  const text = search.startsWith('?') ? search.slice(1) : search;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    try {
      decodeURIComponent(pair.replace(/\+/g, ' '));
    } catch {
      const name = pair.split('=', 1)[0] ?? '';
      const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
      throw new HeraldError('INVALID_ARGUMENT', `the query parameter ${JSON.stringify(shown)} is not percent-encoded UTF-8; encode every name and value as UTF-8 bytes (a lone surrogate has none)`);
    }
  }
  return new URLSearchParams(text);
}
