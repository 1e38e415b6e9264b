/**
 * The guard's decision, tested directly (no connection is opened here): every block of
 * IANA's special-purpose registries, every IPv6 form that embeds an IPv4 address, and
 * the networks an operator allows.
 */
import { describe, expect, it } from 'vitest';
import { createAddressGuard } from '@herald/core/transport';
import { ipaddr, supplementBlocks } from '../../src/transport/special-addresses.js';
import { embeddings, ipv4Others, ipv4Registry, sampleAddresses, specialBlocks } from './iana-registries.js';

/** The middle address of a block (its only one for a /32 or /128). */
const middleOf = (cidr: string): string => {
  const samples = sampleAddresses(cidr);
  return samples[Math.floor(samples.length / 2)] ?? '';
};

const guard = createAddressGuard();
const refusedWording = /^\S+ is (a|an|not a) .*\(.*\)/;

describe('the address guard', () => {
  it.each(['::7f00:1', '::127.0.0.1', '::a9fe:a9fe', '::ffff:0:7f00:1', '::ffff:0:a9fe:a9fe', '3fff::1', '5f00::1'])(
    'refuses %s, which it allowed before',
    (address) => {
      expect(guard.refusal(address)).toMatch(refusedWording);
    },
  );

  it.each(['::7f00:1', '::a9fe:a9fe', '::ffff:0:7f00:1', '::ffff:0:a9fe:a9fe', '2002:7f00:1::1', '64:ff9b::a9fe:a9fe'])(
    'names the IPv4 address %s embeds',
    (address) => {
      expect(guard.refusal(address)).toMatch(/embedding (127\.0\.0\.1, a loopback|169\.254\.169\.254, a link-local) address/);
    },
  );

  const samples = specialBlocks.flatMap(([cidr, name, rfc]) => sampleAddresses(cidr).map((address) => [address, cidr, name, rfc] as const));
  it.each(samples)('refuses %s of %s (%s, %s)', (address) => {
    expect(guard.refusal(address)).toMatch(refusedWording);
  });

  const embedded = [...ipv4Registry, ...ipv4Others].flatMap(([cidr]) =>
    sampleAddresses(cidr).flatMap((ipv4) => embeddings.map((form) => [form.build(ipv4, Array<number>(16).fill(0x5a)), ipv4, form.name, form.prefix] as const)),
  );
  it.each(embedded)('refuses %s (%s in %s), even once that prefix is allowed', (address, ipv4, _form, prefix) => {
    expect(guard.refusal(address)).toMatch(refusedWording);
    const refusal = createAddressGuard({ allowedNetworks: [prefix] }).refusal(address);
    expect(refusal).toContain(`embedding ${ipv4}`);
  });

  it.each(['93.184.215.14', '8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.0.1.255', '223.255.255.255', '2606:4700:4700::1111', '2a00:1450:4001::200e', '2001:200::1', '3ffe::1'])(
    'allows the public address %s',
    (address) => {
      expect(guard.refusal(address)).toBeUndefined();
    },
  );

  it.each(['localhost', '0x7f.1', '2130706433', '127.1', '1.2.3.4.5', '::ffff::1', ''])('refuses %j, which is not an IP address in canonical form', (text) => {
    expect(guard.refusal(text)).toMatch(/is not an IP address/);
  });

  it('allows listed networks, and everything when private networks are allowed', () => {
    const listed = createAddressGuard({ allowedNetworks: ['10.1.0.0/16', 'fd00::/8', '127.0.0.1'] });
    expect(listed.refusal('10.1.2.3')).toBeUndefined();
    expect(listed.refusal('10.2.0.1')).toBeDefined();
    expect(listed.refusal('fd00::5')).toBeUndefined();
    expect(listed.refusal('127.0.0.1')).toBeUndefined();
    expect(listed.refusal('127.0.0.2')).toBeDefined();
    // The mapped form is another address: its prefix has to be listed too.
    expect(listed.refusal('::ffff:127.0.0.1')).toBeDefined();
    const open = createAddressGuard({ allowPrivateNetworks: true });
    for (const address of ['127.0.0.1', '::7f00:1', '169.254.169.254', 'fe80::1']) expect(open.refusal(address)).toBeUndefined();
  });

  it('allows an embedding prefix an operator lists, judging the IPv4 address inside on its own', () => {
    const nat64 = createAddressGuard({ allowedNetworks: ['64:ff9b::/96', '2002::/16', '::ffff:0:0/96'] });
    expect(nat64.refusal('64:ff9b::808:808')).toBeUndefined(); // 8.8.8.8 through the gateway
    expect(nat64.refusal('2002:808:808::1')).toBeUndefined();
    expect(nat64.refusal('::ffff:8.8.8.8')).toBeUndefined();
    expect(nat64.refusal('64:ff9b::a00:1')).toMatch(/allowed NAT64 address .*embedding 10\.0\.0\.1, a private address/);
    const withInternal = createAddressGuard({ allowedNetworks: ['64:ff9b::/96', '10.0.0.0/8'] });
    expect(withInternal.refusal('64:ff9b::a00:1')).toBeUndefined();
  });

  it('reads a local-use NAT64 address at the position its listed prefix length gives, or at every position', () => {
    // 8.8.8.8 after a /64 prefix (RFC 6052 §2.2: bits 72–103, byte 8 left zero).
    const atSlash64 = '64:ff9b:1:0:8:808:800::';
    expect(createAddressGuard({ allowedNetworks: ['64:ff9b:1::/64'] }).refusal(atSlash64)).toBeUndefined();
    // With only the whole /48 listed the length is unknown: the /96 position reads 8.0.0.0.
    expect(createAddressGuard({ allowedNetworks: ['64:ff9b:1::/48'] }).refusal(atSlash64)).toMatch(/embedding 8\.0\.0\.0|embedding 0\./);
    expect(createAddressGuard({ allowedNetworks: ['64:ff9b:1::/96'] }).refusal('64:ff9b:1::808:808')).toBeUndefined();
    expect(createAddressGuard({ allowedNetworks: ['64:ff9b:1::/96'] }).refusal('64:ff9b:1::a9fe:a9fe')).toMatch(/embedding 169\.254\.169\.254/);
  });
});

describe('the supplement to ipaddr.js', () => {
  // Each entry is there because the library does not classify the block yet. Once it
  // does, this fails: delete the entry, the library's classification covers it.
  it.each(supplementBlocks.map((block) => [block.cidr, block.name] as const))('%s (%s) is still missing from ipaddr.js', (cidr) => {
    const middle = middleOf(cidr);
    expect(ipaddr.parse(middle).range()).toBe('unicast');
    expect(guard.refusal(middle)).toMatch(refusedWording);
  });

  it('names the registry blocks the library has, so a library upgrade that drops one fails here', () => {
    for (const [cidr] of specialBlocks.filter(([cidr]) => !supplementBlocks.some((block) => block.cidr === cidr))) {
      const middle = middleOf(cidr);
      const inGlobalUnicast = middle.includes(':') && /^[23]/.test(middle);
      // Outside 2000::/3 the allow-list refuses anyway; inside it, only the library can.
      if (middle.includes(':') && !inGlobalUnicast) continue;
      expect(ipaddr.parse(middle).range(), `${cidr} ${middle}`).not.toBe('unicast');
    }
  });
});
