/**
 * The links Herald hands out for the next page or the next round of changes
 * (`@odata.nextLink`, `@odata.deltaLink`). A link is the request the client made, with
 * only its paging token replaced: every query option it gave (`$top`, `$filter`, and any
 * other) still holds on the pages that follow, without a route having to list them.
 */
import type { Exchange } from './exchange.js';

/** The query options that say where a page starts; a link replaces them with its own. */
const pagingTokens = ['$skiptoken', '$deltatoken'] as const;

/** A link to `path` with the client's query options and `token` as the only paging token. */
export function pageLink(exchange: Exchange, path: string, token: { readonly name: (typeof pagingTokens)[number]; readonly value: string }): string {
  const query = new URLSearchParams([...exchange.query]);
  for (const name of pagingTokens) query.delete(name);
  query.set(token.name, token.value);
  return `${exchange.baseUrl}${path}?${query.toString()}`;
}
