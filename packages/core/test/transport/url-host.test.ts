import { describe, expect, it } from 'vitest';
import { createAddressGuard, isLocalhostName, urlHostRefusal } from '@herald/core/transport';

// `localhost` names loopback whatever its spelling (RFC 6761 §6.3): one rule, used by the
// endpoint checks (through urlHostRefusal) and the Web Push subject check.
const localhostNames = ['localhost', 'LOCALHOST', 'localhost.', 'localhost..', 'localhost...', 'app.localhost', 'a.b.LocalHost..'];
const otherNames = ['localhost.example', 'notlocalhost', 'localhostx', 'example.com', 'example.com.', 'localhost-app.example'];

describe('isLocalhostName', () => {
  it.each(localhostNames)('%s names loopback', (name) => {
    expect(isLocalhostName(name)).toBe(true);
  });
  it.each(otherNames)('%s does not', (name) => {
    expect(isLocalhostName(name)).toBe(false);
  });
});

describe('urlHostRefusal', () => {
  const guard = createAddressGuard();
  it.each(localhostNames)('refuses https://%s/ before any connection', (name) => {
    expect(urlHostRefusal(new URL(`https://${name}/push`), guard)).toMatch(/loopback/);
  });
  it.each(otherNames)('leaves https://%s/ to the guard at connection time', (name) => {
    expect(urlHostRefusal(new URL(`https://${name}/push`), guard)).toBeUndefined();
  });
  it('lets localhost names through when loopback is allowed', () => {
    const allowing = createAddressGuard({ allowedNetworks: ['127.0.0.0/8', '::1/128'] });
    expect(urlHostRefusal(new URL('https://localhost../push'), allowing)).toBeUndefined();
  });
});
