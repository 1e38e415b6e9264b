/**
 * Properties of the guard's decision over random addresses (no connection is opened):
 * an IPv4 address of a special block is refused in every IPv6 form that embeds it, even
 * once that form's prefix is allowed; ordinary public addresses are allowed, in IPv4 and
 * in global unicast IPv6, and in an allowed embedding form.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAddressGuard } from '@herald/core/transport';
import { embeddings, fromBigInt, inBlock, ipv4Others, ipv4Registry, specialBlocks, toBigInt } from './iana-registries.js';

const guard = createAddressGuard();
const ipv4Specials = [...ipv4Registry, ...ipv4Others];

/** Any address of a special IPv4 block. */
const specialIPv4 = fc
  .tuple(fc.constantFrom(...ipv4Specials.map(([cidr]) => cidr)), fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }))
  .map(([cidr, random]) => {
    const [base = '', bits = '0'] = cidr.split('/');
    const hostBits = 32n - BigInt(bits);
    return fromBigInt(toBigInt(base) + (random & ((1n << hostBits) - 1n)), false);
  });

/** Any IPv4 address outside every special block. */
const publicIPv4 = fc
  .bigInt({ min: 0n, max: (1n << 32n) - 1n })
  .map((value) => fromBigInt(value, false))
  .filter((address) => !ipv4Specials.some(([cidr]) => inBlock(address, cidr)));

/** Any global unicast (2000::/3) IPv6 address outside every special block. */
const publicIPv6 = fc
  .bigInt({ min: 0n, max: (1n << 125n) - 1n })
  .map((value) => fromBigInt((1n << 125n) | value, true))
  .filter((address) => !specialBlocks.some(([cidr]) => inBlock(address, cidr)));

const noise = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 });
const form = fc.constantFrom(...embeddings);

describe('the address guard, over random addresses', () => {
  it('refuses every special IPv4 address in every embedding form, by default and with the prefix allowed', () => {
    fc.assert(
      fc.property(specialIPv4, form, noise, (ipv4, embedding, bits) => {
        expect(guard.refusal(ipv4)).toBeDefined();
        const address = embedding.build(ipv4, bits);
        expect(guard.refusal(address)).toBeDefined();
        expect(createAddressGuard({ allowedNetworks: [embedding.prefix] }).refusal(address)).toBeDefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('allows public IPv4 addresses, and public global unicast IPv6 addresses', () => {
    fc.assert(
      fc.property(publicIPv4, publicIPv6, (ipv4, ipv6) => {
        expect(guard.refusal(ipv4)).toBeUndefined();
        expect(guard.refusal(ipv6)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('allows a public IPv4 address in an embedding form only once the form is allowed', () => {
    // The local-use NAT64 prefix is left out: with the whole /48 listed, every RFC 6052
    // position is judged, and random noise there may read as a special address.
    const exact = embeddings.filter((embedding) => embedding.prefix !== '64:ff9b:1::/48');
    fc.assert(
      fc.property(publicIPv4, fc.constantFrom(...exact), noise, (ipv4, embedding, bits) => {
        const address = embedding.build(ipv4, bits);
        expect(guard.refusal(address)).toBeDefined();
        expect(createAddressGuard({ allowedNetworks: [embedding.prefix] }).refusal(address)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('allows every address once private networks are allowed', () => {
    fc.assert(
      fc.property(specialIPv4, form, noise, (ipv4, embedding, bits) => {
        expect(createAddressGuard({ allowPrivateNetworks: true }).refusal(embedding.build(ipv4, bits))).toBeUndefined();
      }),
    );
  });
});
