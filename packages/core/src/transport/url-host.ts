/**
 * What the address guard can judge of an endpoint URL before any request (no DNS): its
 * literal IP address, and `localhost` names. Shared by the HTTP transports' endpoint
 * checks (at `subscriptions.create`) and their requests (for endpoints stored before).
 */
import type { AddressGuard } from './address-guard.js';

/** The URL's host as an IP address, when it is one (`[::1]` → `::1`), for the guard. */
export function literalHost(url: URL): string | undefined {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  // WHATWG URL already turned every IPv4 spelling (2130706433, 0x7f.1) into a dotted quad.
  return /^[\d.]+$/.test(host) || host.includes(':') ? host : undefined;
}

/**
 * True when a URL's host name is `localhost` or ends in `.localhost`, which always name
 * loopback (RFC 6761 §6.3), whatever the case and however many trailing dots (`localhost..`
 * is the same name to a reader, though no resolver answers it).
 */
export function isLocalhostName(hostname: string): boolean {
  const host = hostname.replace(/\.+$/, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost');
}

/**
 * Why the guard refuses the URL's host, judged without DNS, or `undefined`: a literal IP
 * address at once; `localhost` and `*.localhost`, which always name loopback (RFC 6761
 * §6.3), as loopback. Other host names are judged on the addresses DNS gives at each
 * connection. The reason ends with what to do about it.
 */
export function urlHostRefusal(url: URL, guard: AddressGuard): string | undefined {
  const literal = literalHost(url);
  if (literal !== undefined) {
    const refusal = guard.refusal(literal);
    return refusal === undefined ? undefined : `${refusal}; use a public address, or list your network in allowedNetworks`;
  }
  if (isLocalhostName(url.hostname)) {
    const refusals = ['127.0.0.1', '::1'].map((address) => guard.refusal(address));
    if (refusals.every((refusal) => refusal !== undefined)) {
      return `${url.hostname} names a loopback address (RFC 6761); allow loopback in allowedNetworks for a local receiver`;
    }
  }
  return undefined;
}
