/**
 * The guard against server-side request forgery, shared by the HTTP transports (webhook,
 * Web Push): their endpoint URLs come from users, so by default no request may reach an address of IANA's special-purpose registries (loopback,
 * private, link-local, CGNAT, unique-local, documentation, …), a multicast address, an
 * IPv6 address outside global unicast, or an IPv6 form that embeds an IPv4 address. It is
 * applied to the address of every connection, after DNS, so a name that resolves (or
 * later re-resolves) to an internal address is refused too.
 */
import { isIP } from 'node:net';
import { optionError } from '../errors.js';
import { checkOptionsObject } from '../option-checks.js';
import { embeddedIPv4 } from './embedded-ipv4.js';
import { inNetwork, parseAddress, specialPurpose, type IpAddress } from './special-addresses.js';

/** Options of the address guard. */
export interface AddressGuardOptions {
  /**
   * Allow every address, special or not: for development against local receivers only.
   * @default false
   */
  readonly allowPrivateNetworks?: boolean;
  /**
   * Networks (CIDR, such as `10.1.0.0/16` or `fd00::/8`, or single addresses) allowed even
   * though they are special: your own internal receivers. An IPv6 form that embeds an
   * IPv4 address (`64:ff9b::/96`, …) is allowed only when its prefix is listed here and
   * the IPv4 address it embeds is allowed as well.
   * @default none
   */
  readonly allowedNetworks?: readonly string[];
}

/** The names of {@link AddressGuardOptions}, for refusing unknown ones. */
export const addressGuardOptionNames = ['allowPrivateNetworks', 'allowedNetworks'] as const;

/** Checks connection addresses. */
export interface AddressGuard {
  /**
   * Why `address` (an IP address in the text form DNS and `URL` give) is refused, or
   * `undefined` when it may be reached. Text that is not an IP address is refused.
   */
  refusal(address: string): string | undefined;
}

function parseNetwork(source: string, entry: unknown, at: number): readonly [IpAddress, number] {
  const text = typeof entry === 'string' ? entry : '';
  const [address = '', prefixText, extra] = text.split('/');
  const parsed = isIP(address) === 0 ? undefined : parseAddress(address);
  const width = parsed?.kind() === 'ipv6' ? 128 : 32;
  const prefix = prefixText === undefined ? width : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (parsed === undefined || extra !== undefined || !(prefix >= 0 && prefix <= width)) {
    throw optionError(source, `allowedNetworks[${at}]: ${JSON.stringify(entry)} is not a network; write it like 10.1.0.0/16, fd00::/8 or 10.1.2.3`);
  }
  return [parsed, prefix];
}

/** Checks the guard's options and returns the allowed networks. */
function checkOptions(source: string, options: AddressGuardOptions): Array<readonly [IpAddress, number]> | 'everything' {
  checkOptionsObject(source, 'the address guard options', options, addressGuardOptionNames);
  const { allowPrivateNetworks, allowedNetworks } = options;
  if (allowPrivateNetworks !== undefined && typeof allowPrivateNetworks !== 'boolean') {
    throw optionError(source, `allowPrivateNetworks must be true or false, got ${typeof allowPrivateNetworks}`);
  }
  if (allowedNetworks !== undefined && !Array.isArray(allowedNetworks)) {
    throw optionError(source, 'allowedNetworks must be an array of networks such as ["10.1.0.0/16", "fd00::/8"]');
  }
  const allowed = (allowedNetworks ?? []).map((entry: unknown, at: number) => parseNetwork(source, entry, at));
  return allowPrivateNetworks === true ? 'everything' : allowed;
}

/**
 * Creates the guard. An allowed network wins over a special one; an embedded IPv4
 * address is judged on its own as well.
 * `source` names the transport in error messages (`[herald] [transport-webpush] …`).
 * @throws TypeError (`code` `INVALID_OPTION`) for an unknown option, a network that is
 *   not CIDR text, or a value of the wrong type.
 */
export function createAddressGuard(options: AddressGuardOptions = {}, source = 'address-guard'): AddressGuard {
  const allowed = checkOptions(source, options);
  if (allowed === 'everything') return { refusal: () => undefined };
  const allowedBy = (address: IpAddress): readonly [IpAddress, number] | undefined => allowed.find((network) => inNetwork(address, network));
  const judge = (address: IpAddress): string | undefined => (allowedBy(address) === undefined ? specialPurpose(address) : undefined);

  return {
    refusal(text) {
      const address = parseAddress(text);
      if (address === undefined) return `${JSON.stringify(text.slice(0, 100))} is not an IP address`;
      const own = judge(address);
      const embedding = embeddedIPv4(address, allowedBy(address)?.[1]);
      if (embedding === undefined) return own === undefined ? undefined : `${text} is ${own}`;
      const inner = embedding.addresses.map((ipv4) => [ipv4, judge(ipv4)] as const).find(([, why]) => why !== undefined);
      // `::` and `::1` are first of all themselves: their "embedded" 0.0.0.x is no news.
      const plain = ['unspecified', 'loopback'].includes(address.range());
      const innerText = inner === undefined || (plain && own !== undefined) ? '' : `, embedding ${inner[0].toString()}, ${inner[1]}`;
      if (own !== undefined) return `${text} is ${own}${innerText}`;
      // The IPv6 prefix itself is allowed (listed): the IPv4 address inside must be too.
      if (inner !== undefined) return `${text} is an allowed ${embedding.form.name} (${embedding.form.cidr})${innerText}`;
      return undefined;
    },
  };
}
