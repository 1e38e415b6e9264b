/**
 * Which IP addresses are special-purpose, and why: the classification of IANA's IPv4 and
 * IPv6 Special-Purpose Address Registries (RFC 6890, as amended by RFC 8190), taken from
 * `ipaddr.js` rather than a hand-kept list, and read as an allow-list: an IPv6 address is
 * ordinary only when it is global unicast (2000::/3) and in no special block.
 */
import { createRequire } from 'node:module';
import { isIP } from 'node:net';

/**
 * `ipaddr.js` (CommonJS, `export =`). Loaded with `require`: a default import of it needs
 * `allowSyntheticDefaultImports`, which the workspace's compiler settings leave off.
 */
export const ipaddr = createRequire(import.meta.url)('ipaddr.js') as typeof import('ipaddr.js');

/** A parsed address, as `ipaddr.js` gives it. */
export type IpAddress = import('ipaddr.js').IPv4 | import('ipaddr.js').IPv6;

/** A block written as CIDR text, with what it is for (and the RFC that says so). */
export interface NamedBlock {
  /** The block, such as `100:0:0:1::/64`. */
  readonly cidr: string;
  /** What its addresses are ("a … address"), with the block and the RFC, for refusal messages. */
  readonly name: string;
}

/**
 * Special-purpose blocks `ipaddr.js` 2.5.0 does not classify (its `range()` says
 * `unicast` for them). A test fails once the library covers one, so the entry can go.
 * Both lie outside 2000::/3 today, so the allow-list refuses them anyway; the entries
 * give the refusal its true name, and are where a new registry block the library lacks
 * belongs until it catches up.
 */
export const supplementBlocks: readonly NamedBlock[] = [
  // Not in the special-purpose registry itself (the address space registry's ::/8,
  // "reserved by IETF"), but connect() treats ::a.b.c.d as IPv4-compatible.
  { cidr: '::/96', name: 'an IPv4-compatible address (::/96, RFC 4291 §2.5.5.1, deprecated)' },
  { cidr: '100:0:0:1::/64', name: 'a dummy-prefix address (100:0:0:1::/64, RFC 9780)' },
];

/** What each `range()` name of `ipaddr.js` means, for people reading a refusal. */
const ipv4RangeNames: Readonly<Record<string, string>> = {
  unspecified: 'a "this network" address (0.0.0.0/8, RFC 791)',
  broadcast: 'a limited broadcast address (255.255.255.255/32, RFC 919)',
  multicast: 'a multicast address (224.0.0.0/4, RFC 5771)',
  linkLocal: 'a link-local address (169.254.0.0/16, RFC 3927; cloud metadata services live here)',
  loopback: 'a loopback address (127.0.0.0/8, RFC 1122)',
  carrierGradeNat: 'a shared carrier-grade NAT address (100.64.0.0/10, RFC 6598)',
  private: 'a private address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, RFC 1918)',
  reserved: 'a reserved address (IETF protocol assignments, documentation, benchmarking, 6to4 relay or future use; RFC 6890)',
  as112: 'an AS112 DNS service address (192.31.196.0/24 RFC 7535, 192.175.48.0/24 RFC 7534)',
  amt: 'an AMT relay address (192.52.193.0/24, RFC 7450)',
};

const ipv6RangeNames: Readonly<Record<string, string>> = {
  unspecified: 'an unspecified address (::/128, RFC 4291)',
  loopback: 'a loopback address (::1/128, RFC 4291)',
  linkLocal: 'a link-local address (fe80::/10, RFC 4291)',
  multicast: 'a multicast address (ff00::/8, RFC 4291)',
  uniqueLocal: 'a unique-local address (fc00::/7, RFC 4193)',
  ipv4Mapped: 'an IPv4-mapped address (::ffff:0:0/96, RFC 4291 §2.5.5.2)',
  deprecatedSiteLocal: 'a site-local address (fec0::/10, deprecated by RFC 3879)',
  discard: 'a discard-only address (100::/64, RFC 6666)',
  rfc6145: 'an IPv4-translated address (::ffff:0:0:0/96, RFC 6145)',
  rfc6052: 'a NAT64 address (64:ff9b::/96 RFC 6052, 64:ff9b:1::/48 RFC 8215)',
  '6to4': 'a 6to4 address (2002::/16, RFC 3056)',
  teredo: 'a Teredo address (2001::/32, RFC 4380)',
  benchmarking: 'a benchmarking address (2001:2::/48, RFC 5180)',
  amt: 'an AMT address (2001:3::/32, RFC 7450)',
  as112v6: 'an AS112 DNS service address (2001:4:112::/48 RFC 7535, 2620:4f:8000::/48 RFC 7534)',
  deprecatedOrchid: 'an ORCHID address (2001:10::/28, RFC 4843, deprecated)',
  orchid2: 'an ORCHIDv2 address (2001:20::/28, RFC 7343)',
  droneRemoteIdProtocolEntityTags: 'a DRIP entity tag (2001:30::/28, RFC 9374)',
  segmentRouting: 'an SRv6 segment identifier (5f00::/16, RFC 9602)',
  reserved: 'a reserved address (2001::/23 IETF protocol assignments RFC 2928, documentation 2001:db8::/32 RFC 3849 or 3fff::/20 RFC 9637)',
};

const globalUnicast = ipaddr.parseCIDR('2000::/3');
const supplement = supplementBlocks.map((block) => ({ ...block, network: ipaddr.parseCIDR(block.cidr) }));

/** Whether `address` lies in `network`; addresses of the other family never do. */
export function inNetwork(address: IpAddress, network: readonly [IpAddress, number]): boolean {
  const [base, bits] = network;
  return address.kind() === base.kind() && address.match(base, bits);
}

/**
 * Parses an address in the canonical text forms Node's own `isIP` accepts (dotted quad,
 * RFC 4291 IPv6 text, a zone index after `%`), so `0x7f.1` or `2130706433` are not taken
 * as addresses. IPv6 text goes through the WHATWG URL parser first: `ipaddr.js` reads
 * `::127.0.0.1` as `::ffff:127.0.0.1`, while it is `::7f00:1`.
 */
export function parseAddress(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const version = isIP(bare);
  if (version === 4) return ipaddr.IPv4.parse(bare);
  if (version !== 6) return undefined;
  const [withoutZone = ''] = bare.split('%');
  const canonical = new URL(`http://[${withoutZone}]/`).hostname.slice(1, -1);
  return ipaddr.IPv6.isValid(canonical) ? ipaddr.IPv6.parse(canonical) : undefined;
}

/**
 * What is special about `address`, as a phrase ("a loopback address (127.0.0.0/8, RFC
 * 1122)"), or `undefined` for an ordinary public address. Embedded IPv4 addresses are
 * not looked at here: an IPv6 form that embeds one is special by its own prefix.
 */
export function specialPurpose(address: IpAddress): string | undefined {
  const range = address.range() as string;
  const names = address.kind() === 'ipv4' ? ipv4RangeNames : ipv6RangeNames;
  // A range name this table lacks (a newer library) still refuses: only `unicast` passes.
  if (range !== 'unicast') return names[range] ?? `a special-purpose address (${range})`;
  const listed = supplement.find((block) => inNetwork(address, block.network));
  if (listed !== undefined) return listed.name;
  if (address.kind() === 'ipv6' && !inNetwork(address, globalUnicast)) {
    return 'not a global unicast address (outside 2000::/3, RFC 4291 §2.5.4; reserved or unassigned in the IANA IPv6 address space registry)';
  }
  return undefined;
}
