/**
 * The guard against server-side request forgery: webhook URLs come from users, so by
 * default no request may reach loopback, private, link-local, CGNAT, unique-local or other
 * reserved addresses. It is applied to the address of every connection, after DNS, so a
 * name that resolves (or later re-resolves) to an internal address is refused too.
 */
import { BlockList, isIP } from 'node:net';
import { optionError } from '@herald/core';

/** Reserved networks, with the name used in refusal messages. */
const reservedNetworks: ReadonlyArray<readonly [network: string, name: string]> = [
  ['0.0.0.0/8', '"this network"'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', '6to4 relay'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b::/96', 'NAT64'],
  ['64:ff9b:1::/48', 'NAT64'],
  ['100::/64', 'discard-only'],
  ['2001::/23', 'IETF protocol assignments'],
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', '6to4'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
];

/** Options of the address guard. */
export interface AddressGuardOptions {
  /**
   * Allow every address, reserved or not: for development against local receivers only.
   * @default false
   */
  readonly allowPrivateNetworks?: boolean;
  /**
   * Networks (CIDR, such as `10.1.0.0/16` or `fd00::/8`, or single addresses) allowed even
   * though they are reserved: your own internal receivers.
   * @default none
   */
  readonly allowedNetworks?: readonly string[];
}

/** Checks connection addresses. */
export interface AddressGuard {
  /** Why `address` is refused, or `undefined` when it may be reached. */
  refusal(address: string): string | undefined;
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

function addNetwork(list: BlockList, cidr: string, source: string): void {
  const [address = '', prefixText] = cidr.split('/');
  const version = isIP(address);
  const prefix = prefixText === undefined ? (version === 6 ? 128 : 32) : Number(prefixText);
  if (version === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (version === 6 ? 128 : 32)) {
    throw optionError('transport-webhook', `${source}: ${JSON.stringify(cidr)} is not a network; write it like 10.1.0.0/16 or fd00::/8`);
  }
  list.addSubnet(address, prefix, version === 6 ? 'ipv6' : 'ipv4');
}

/** Creates the guard; an allowed network wins over a reserved one. */
export function createAddressGuard(options: AddressGuardOptions = {}): AddressGuard {
  if (options.allowPrivateNetworks === true) return { refusal: () => undefined };
  const allowed = new BlockList();
  for (const network of options.allowedNetworks ?? []) addNetwork(allowed, network, 'allowedNetworks');
  const reserved = reservedNetworks.map(([network, name]) => {
    const list = new BlockList();
    addNetwork(list, network, 'reserved networks');
    return { list, name, network };
  });
  return {
    refusal(address) {
      const type = family(address);
      if (allowed.check(address, type)) return undefined;
      // BlockList matches IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) against IPv4 rules.
      for (const { list, name, network } of reserved) {
        if (list.check(address, type)) return `${address} is a ${name} address (${network})`;
      }
      return undefined;
    },
  };
}
