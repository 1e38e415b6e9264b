/**
 * The IPv6 forms that carry an IPv4 address inside them. Packets to such an address may
 * end up at the IPv4 host it embeds (through the host's own stack, a NAT64 gateway, a
 * 6to4 or Teredo relay), so the guard judges that IPv4 address as well.
 */
import type { IPv4 } from 'ipaddr.js';
import { inNetwork, ipaddr, type IpAddress } from './special-addresses.js';

/** An IPv6 form that embeds IPv4 addresses. */
export interface EmbeddingForm {
  /** What the form is, with its prefix and RFC, for refusal messages. */
  readonly name: string;
  /** The form's prefix. */
  readonly cidr: string;
  /**
   * The IPv4 addresses an address of this form may stand for, from its 16 bytes;
   * `prefixLength` is the length of the allowed network the address was found in, which
   * says where a local-use NAT64 prefix puts the IPv4 address.
   */
  readonly embedded: (bytes: readonly number[], prefixLength: number | undefined) => number[][];
}

/** Picks bytes by index: the four octets of an embedded IPv4 address. */
const pick = (bytes: readonly number[], at: readonly number[]): number[] => at.map((index) => bytes[index] ?? 0);

/**
 * Where RFC 6052 §2.2 puts the IPv4 address after a NAT64 prefix of each length; byte 8
 * (bits 64–71) is always skipped.
 */
const rfc6052Octets: Readonly<Record<number, readonly number[]>> = {
  32: [4, 5, 6, 7],
  40: [5, 6, 7, 9],
  48: [6, 7, 9, 10],
  56: [7, 9, 10, 11],
  64: [9, 10, 11, 12],
  96: [12, 13, 14, 15],
};
const last32 = (bytes: readonly number[]): number[][] => [pick(bytes, rfc6052Octets[96] ?? [])];

/** Every IPv6 form that embeds an IPv4 address, by prefix. */
const embeddingForms: readonly EmbeddingForm[] = [
  { name: 'IPv4-mapped address', cidr: '::ffff:0:0/96', embedded: last32 }, // RFC 4291 §2.5.5.2
  { name: 'IPv4-compatible address', cidr: '::/96', embedded: last32 }, // RFC 4291 §2.5.5.1
  { name: 'IPv4-translated address', cidr: '::ffff:0:0:0/96', embedded: last32 }, // RFC 6145, RFC 2765 §2.1
  { name: 'NAT64 address', cidr: '64:ff9b::/96', embedded: last32 }, // RFC 6052 §2.1
  {
    // RFC 8215: the operator carves a NAT64 prefix of any RFC 6052 length out of this
    // block. An allowed network longer than /48 listed for it (64:ff9b:1:2::/96) says
    // which; otherwise every position is judged.
    name: 'local-use NAT64 address',
    cidr: '64:ff9b:1::/48',
    embedded: (bytes, prefixLength) => {
      const lengths = prefixLength !== undefined && prefixLength > 48 && rfc6052Octets[prefixLength] !== undefined ? [prefixLength] : [48, 56, 64, 96];
      return lengths.map((length) => pick(bytes, rfc6052Octets[length] ?? []));
    },
  },
  { name: '6to4 address', cidr: '2002::/16', embedded: (bytes) => [pick(bytes, [2, 3, 4, 5])] }, // RFC 3056 §2
  {
    // RFC 4380 §4: the Teredo server's address, then the client's, stored inverted.
    name: 'Teredo address',
    cidr: '2001::/32',
    embedded: (bytes) => [pick(bytes, [4, 5, 6, 7]), pick(bytes, [12, 13, 14, 15]).map((octet) => octet ^ 0xff)],
  },
];

const forms = embeddingForms.map((form) => ({ form, network: ipaddr.parseCIDR(form.cidr) }));

/**
 * The embedding form of `address` and the IPv4 addresses it may stand for, if any. `::`
 * and `::1` are read as IPv4-compatible too (0.0.0.0 and 0.0.0.1): allowing ::/96 must
 * not let them, which reach this host, through.
 */
export function embeddedIPv4(
  address: IpAddress,
  prefixLength?: number,
): { readonly form: EmbeddingForm; readonly addresses: IPv4[] } | undefined {
  if (address.kind() !== 'ipv6') return undefined;
  const match = forms.find(({ network }) => inNetwork(address, network));
  if (match === undefined) return undefined;
  const bytes = address.toByteArray();
  return { form: match.form, addresses: match.form.embedded(bytes, prefixLength).map((octets) => new ipaddr.IPv4(octets)) };
}
