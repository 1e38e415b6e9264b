/**
 * What a webhook endpoint must be, judged from its subscription alone (no DNS, no
 * request): an absolute http(s) URL without credentials whose literal IP address, if it
 * has one, the guard allows; and signing secrets in the `whsec_` format. Shared by
 * `checkEndpoint` (at `subscriptions.create`) and `send` (for endpoints stored before).
 */
import { EndpointProblem, urlHostRefusal, type AddressGuard } from '@herald/core/transport';
import { secretKey, splitSecrets, WebhookSecretError } from './secret.js';

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

/**
 * Judges what can be judged of the address without DNS (core's `urlHostRefusal`).
 * @throws EndpointProblem (`address`) when the guard refuses it.
 */
export function checkAddress(url: URL, guard: AddressGuard): void {
  const refusal = urlHostRefusal(url, guard);
  if (refusal !== undefined) throw new EndpointProblem('address', refusal);
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
