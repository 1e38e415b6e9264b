/**
 * What a webhook endpoint must be, judged from its subscription alone (no DNS, no
 * request): an absolute http(s) URL without credentials whose literal IP address, if it
 * has one, the guard allows; and signing secrets in the `whsec_` format. Shared by
 * `checkEndpoint` (at `subscriptions.create`) and `send` (for endpoints stored before).
 */
import type { AddressGuard } from './address-guard.js';
import { secretKey, splitSecrets, WebhookSecretError } from './secret.js';

/** A reason an endpoint cannot be used, naming its field. */
export class EndpointProblem extends Error {
  /** The subscription field at fault. */
  readonly field: 'address' | 'secret';

  constructor(field: 'address' | 'secret', message: string) {
    super(`${field}: ${message}`);
    this.name = 'EndpointProblem';
    this.field = field;
  }
}

const example = 'such as https://hooks.example.com/herald';

/**
 * The endpoint's URL.
 * @throws EndpointProblem (`address`) when it is not an absolute http(s) URL without
 *   credentials.
 */
export function endpointUrl(address: string): URL {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new EndpointProblem('address', `${JSON.stringify(address.slice(0, 200))} is not an absolute URL; give one ${example}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EndpointProblem('address', `only http and https URLs are allowed, not ${url.protocol}; give one ${example}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new EndpointProblem('address', 'credentials in the URL are not allowed; remove them, the secret signs each request instead');
  }
  return url;
}

/** The URL's host as an IP address, when it is one (`[::1]` → `::1`), for the guard. */
export function literalHost(url: URL): string | undefined {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  // WHATWG URL already turned every IPv4 spelling (2130706433, 0x7f.1) into a dotted quad.
  return /^[\d.]+$/.test(host) || host.includes(':') ? host : undefined;
}

/**
 * Judges what can be judged of the address without DNS: a literal IP address at once;
 * `localhost` and `*.localhost`, which always name loopback (RFC 6761 §6.3), as loopback.
 * Other host names are judged on the addresses DNS gives at each connection.
 * @throws EndpointProblem (`address`) when the guard refuses it.
 */
export function checkAddress(url: URL, guard: AddressGuard): void {
  const literal = literalHost(url);
  if (literal !== undefined) {
    const refusal = guard.refusal(literal);
    if (refusal !== undefined) throw new EndpointProblem('address', `${refusal}; use a public address, or list your network in allowedNetworks`);
    return;
  }
  const host = url.hostname.replace(/\.$/, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) {
    const refusals = ['127.0.0.1', '::1'].map((address) => guard.refusal(address));
    if (refusals.every((refusal) => refusal !== undefined)) {
      throw new EndpointProblem('address', `${url.hostname} names a loopback address (RFC 6761); allow loopback in allowedNetworks for a local receiver`);
    }
  }
}

/**
 * The key bytes of every signing secret: a subscription's `secret` (several, separated
 * by spaces, while rotating) or what a `secrets` resolver gave.
 * @throws EndpointProblem (`secret`) when there is none or one is malformed.
 */
export function secretKeys(given: string | readonly string[] | undefined): Buffer[] {
  const secrets = typeof given === 'string' || given === undefined ? splitSecrets(given) : given;
  if (secrets.length === 0) throw new EndpointProblem('secret', 'the endpoint has no signing secret; give its subscription one (whsec_…, from generateWebhookSecret())');
  return secrets.map((one) => {
    try {
      return secretKey(one);
    } catch (error) {
      if (error instanceof WebhookSecretError) throw new EndpointProblem('secret', error.message.replace(/^\[herald\] \[transport-webhook\] /, ''));
      throw error;
    }
  });
}
