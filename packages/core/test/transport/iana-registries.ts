/**
 * IANA's special-purpose address registries, written out here from the registries
 * themselves (https://www.iana.org/assignments/iana-ipv4-special-registry and
 * iana-ipv6-special-registry, with the RFC of each entry), plus the few other blocks no
 * request of an HTTP transport may reach. Independent of the guard: the tests judge it against this table.
 * Address arithmetic is on BigInt, also independent of the library the guard uses.
 */
import { isIP } from 'node:net';

/** A special block: its CIDR, its name in the registry, and the RFC that assigned it. */
export type Block = readonly [cidr: string, name: string, rfc: string];

/** The IANA IPv4 Special-Purpose Address Registry. */
export const ipv4Registry: readonly Block[] = [
  ['0.0.0.0/8', '"This network"', 'RFC 791 §3.2'],
  ['0.0.0.0/32', '"This host on this network"', 'RFC 1122 §3.2.1.3'],
  ['10.0.0.0/8', 'Private-Use', 'RFC 1918'],
  ['100.64.0.0/10', 'Shared Address Space', 'RFC 6598'],
  ['127.0.0.0/8', 'Loopback', 'RFC 1122 §3.2.1.3'],
  ['169.254.0.0/16', 'Link Local', 'RFC 3927'],
  ['172.16.0.0/12', 'Private-Use', 'RFC 1918'],
  ['192.0.0.0/24', 'IETF Protocol Assignments', 'RFC 6890 §2.1'],
  ['192.0.0.0/29', 'IPv4 Service Continuity Prefix', 'RFC 7335'],
  ['192.0.0.8/32', 'IPv4 dummy address', 'RFC 7600'],
  ['192.0.0.9/32', 'Port Control Protocol Anycast', 'RFC 7723'],
  ['192.0.0.10/32', 'Traversal Using Relays around NAT Anycast', 'RFC 8155'],
  ['192.0.0.170/32', 'NAT64/DNS64 Discovery', 'RFC 8880, RFC 7050 §2.2'],
  ['192.0.0.171/32', 'NAT64/DNS64 Discovery', 'RFC 8880, RFC 7050 §2.2'],
  ['192.0.2.0/24', 'Documentation (TEST-NET-1)', 'RFC 5737'],
  ['192.31.196.0/24', 'AS112-v4', 'RFC 7535'],
  ['192.52.193.0/24', 'AMT', 'RFC 7450'],
  ['192.88.99.0/24', 'Deprecated (6to4 Relay Anycast)', 'RFC 7526'],
  ['192.88.99.2/32', '6a44-relay anycast address', 'RFC 6751'],
  ['192.168.0.0/16', 'Private-Use', 'RFC 1918'],
  ['192.175.48.0/24', 'Direct Delegation AS112 Service', 'RFC 7534'],
  ['198.18.0.0/15', 'Benchmarking', 'RFC 2544'],
  ['198.51.100.0/24', 'Documentation (TEST-NET-2)', 'RFC 5737'],
  ['203.0.113.0/24', 'Documentation (TEST-NET-3)', 'RFC 5737'],
  ['240.0.0.0/4', 'Reserved', 'RFC 1112 §4'],
  ['255.255.255.255/32', 'Limited Broadcast', 'RFC 8190, RFC 919 §7'],
];

/** IPv4 blocks outside that registry that are refused too. */
export const ipv4Others: readonly Block[] = [['224.0.0.0/4', 'Multicast (IANA IPv4 multicast address space registry)', 'RFC 5771']];

/** The IANA IPv6 Special-Purpose Address Registry. */
const ipv6Registry: readonly Block[] = [
  ['::1/128', 'Loopback Address', 'RFC 4291'],
  ['::/128', 'Unspecified Address', 'RFC 4291'],
  ['::ffff:0:0/96', 'IPv4-mapped Address', 'RFC 4291'],
  ['64:ff9b::/96', 'IPv4-IPv6 Translat.', 'RFC 6052'],
  ['64:ff9b:1::/48', 'IPv4-IPv6 Translat.', 'RFC 8215'],
  ['100::/64', 'Discard-Only Address Block', 'RFC 6666'],
  ['100:0:0:1::/64', 'Dummy IPv6 Prefix', 'RFC 9780'],
  ['2001::/23', 'IETF Protocol Assignments', 'RFC 2928'],
  ['2001::/32', 'TEREDO', 'RFC 4380, RFC 8190'],
  ['2001:1::1/128', 'Port Control Protocol Anycast', 'RFC 7723'],
  ['2001:1::2/128', 'Traversal Using Relays around NAT Anycast', 'RFC 8155'],
  ['2001:1::3/128', 'DNS-SD Service Registration Protocol Anycast', 'RFC 9665'],
  ['2001:2::/48', 'Benchmarking', 'RFC 5180, RFC Errata 1752'],
  ['2001:3::/32', 'AMT', 'RFC 7450'],
  ['2001:4:112::/48', 'AS112-v6', 'RFC 7535'],
  ['2001:10::/28', 'Deprecated (previously ORCHID)', 'RFC 4843'],
  ['2001:20::/28', 'ORCHIDv2', 'RFC 7343'],
  ['2001:30::/28', 'Drone Remote ID Protocol Entity Tags (DETs) Prefix', 'RFC 9374'],
  ['2001:db8::/32', 'Documentation', 'RFC 3849'],
  ['2002::/16', '6to4', 'RFC 3056'],
  ['2620:4f:8000::/48', 'Direct Delegation AS112 Service', 'RFC 7534'],
  ['3fff::/20', 'Documentation', 'RFC 9637'],
  ['5f00::/16', 'Segment Routing (SRv6) SIDs', 'RFC 9602'],
  ['fc00::/7', 'Unique-Local', 'RFC 4193, RFC 8190'],
  ['fe80::/10', 'Link-Local Unicast', 'RFC 4291'],
];

/** IPv6 blocks outside that registry that are refused too: IPv4 embeddings, old and multicast space. */
const ipv6Others: readonly Block[] = [
  ['::/96', 'IPv4-compatible (deprecated)', 'RFC 4291 §2.5.5.1'],
  ['::ffff:0:0:0/96', 'IPv4-translated', 'RFC 6145, RFC 2765 §2.1'],
  ['fec0::/10', 'Site-local (deprecated)', 'RFC 3879'],
  ['ff00::/8', 'Multicast', 'RFC 4291 §2.7'],
];

/** Every block no HTTP transport may reach by default. */
export const specialBlocks: readonly Block[] = [...ipv4Registry, ...ipv4Others, ...ipv6Registry, ...ipv6Others];

const width = (v6: boolean): number => (v6 ? 128 : 32);

/** An address as a number. */
export function toBigInt(address: string): bigint {
  if (isIP(address) === 4) return address.split('.').reduce((sum, octet) => (sum << 8n) + BigInt(octet), 0n);
  const [head = '', tail] = address.split('::');
  const groups = (text: string): string[] => (text === '' ? [] : text.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((sum, group) => (sum << 16n) + BigInt(parseInt(group, 16)), 0n);
}

/** A number as an address of the given family (IPv6 uncompressed, a valid form all the same). */
export function fromBigInt(value: bigint, v6: boolean): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  return [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => ((value >> shift) & 0xffffn).toString(16)).join(':');
}

/** A block's first, middle and last address. */
export function sampleAddresses(cidr: string): string[] {
  const [base = '', bits = '0'] = cidr.split('/');
  const v6 = base.includes(':');
  const hostBits = BigInt(width(v6) - Number(bits));
  const first = toBigInt(base);
  const last = first + (1n << hostBits) - 1n;
  return [...new Set([first, first + (last - first) / 2n, last])].map((value) => fromBigInt(value, v6));
}

/** Whether `address` lies in `cidr`. */
export function inBlock(address: string, cidr: string): boolean {
  const [base = '', bits = '0'] = cidr.split('/');
  const v6 = base.includes(':');
  if (v6 !== address.includes(':')) return false;
  const shift = BigInt(width(v6) - Number(bits));
  return toBigInt(address) >> shift === toBigInt(base) >> shift;
}

/** The 16 bytes of an IPv6 address, and back. */
const bytesOf = (value: bigint): number[] => Array.from({ length: 16 }, (_, at) => Number((value >> BigInt(8 * (15 - at))) & 255n));
const fromBytes = (bytes: readonly number[]): string => fromBigInt(bytes.reduce((sum, byte) => (sum << 8n) + BigInt(byte), 0n), true);

/** An IPv6 form that embeds an IPv4 address: builds an address of it around `ipv4`, `noise` filling the free bits. */
export interface Embedding {
  readonly name: string;
  readonly prefix: string;
  readonly build: (ipv4: string, noise: readonly number[]) => string;
}

const octetsOf = (ipv4: string): number[] => ipv4.split('.').map(Number);
function embed(prefix: string, at: readonly number[], transform = (octet: number) => octet, fixedBits = 96): Embedding['build'] {
  return (ipv4, noise) => {
    // Bits after the prefix come from noise, then the IPv4 octets are written in place.
    const bytes = bytesOf(toBigInt(prefix.split('/')[0] ?? '')).map((byte, index) => (index * 8 >= fixedBits ? (noise[index] ?? 0) : byte));
    octetsOf(ipv4).forEach((octet, index) => (bytes[at[index] ?? 0] = transform(octet)));
    return fromBytes(bytes);
  };
}

/** A Teredo address: prefix, server, flags and port from `noise`, then the client inverted. */
function teredo(server: string, client: string, noise: readonly number[]): string {
  const bytes = [0x20, 0x01, 0, 0, ...octetsOf(server), ...noise.slice(8, 12), ...octetsOf(client).map((octet) => octet ^ 0xff)];
  return fromBytes(bytes);
}

/** Every IPv6 form that embeds an IPv4 address, with the RFC that defines it. */
export const embeddings: readonly Embedding[] = [
  { name: 'IPv4-mapped (RFC 4291 §2.5.5.2)', prefix: '::ffff:0:0/96', build: embed('::ffff:0:0/96', [12, 13, 14, 15]) },
  { name: 'IPv4-compatible (RFC 4291 §2.5.5.1)', prefix: '::/96', build: embed('::/96', [12, 13, 14, 15]) },
  { name: 'IPv4-translated (RFC 6145)', prefix: '::ffff:0:0:0/96', build: embed('::ffff:0:0:0/96', [12, 13, 14, 15]) },
  { name: 'NAT64 well-known prefix (RFC 6052)', prefix: '64:ff9b::/96', build: embed('64:ff9b::/96', [12, 13, 14, 15]) },
  { name: 'NAT64 local-use prefix, /96 layout (RFC 8215)', prefix: '64:ff9b:1::/48', build: embed('64:ff9b:1::/48', [12, 13, 14, 15], undefined, 48) },
  { name: 'NAT64 local-use prefix, /64 layout (RFC 8215, RFC 6052 §2.2)', prefix: '64:ff9b:1::/48', build: embed('64:ff9b:1::/48', [9, 10, 11, 12], undefined, 48) },
  { name: '6to4 (RFC 3056)', prefix: '2002::/16', build: embed('2002::/16', [2, 3, 4, 5], undefined, 48) },
  // The other Teredo field is a public address, so only the one under test can be special.
  { name: 'Teredo server (RFC 4380 §4)', prefix: '2001::/32', build: (ipv4, noise) => teredo(ipv4, '8.8.8.8', noise) },
  { name: 'Teredo client, inverted (RFC 4380 §4)', prefix: '2001::/32', build: (ipv4, noise) => teredo('8.8.8.8', ipv4, noise) },
];
