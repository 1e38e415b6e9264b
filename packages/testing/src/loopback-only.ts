/**
 * A test-only safety net: while installed, every TCP connection this process opens must
 * go to a loopback address (127.0.0.0/8 or ::1), whatever the code under test decides —
 * an SSRF guard of a transport, a URL built from user input. A bug then fails a test (the
 * connect throws, or its lookup fails) instead of sending packets to another host. Call
 * `useLoopbackOnly()` at the top of a test file. It checks the address a socket is about to connect to: a literal IP
 * at once, a host name on every address its lookup (the transport's guarded one
 * included) gives back. It shares no code with the guard it backs up.
 */
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, Socket, type LookupFunction } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Whether `address` is a loopback IP address (127.0.0.0/8 or ::1). */
export function isLoopback(address: string): boolean {
  const version = isIP(address);
  return version !== 0 && loopback.check(address, version === 6 ? 'ipv6' : 'ipv4');
}

/** The error a refused connection fails with. */
export class NonLoopbackConnectError extends Error {
  constructor(address: string) {
    super(`test hook: refused to connect to ${address}, which is not loopback`);
    this.name = 'NonLoopbackConnectError';
  }
}

type Connect = (this: Socket, ...args: unknown[]) => unknown;
type ConnectOptions = { host?: string; path?: string; lookup?: LookupFunction };

/** `lookup`, whose every answer must be loopback. */
function loopbackLookup(lookup: LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, options, (error, address, family) => {
      if (error !== null) return callback(error, address, family);
      const addresses = Array.isArray(address) ? address.map((entry: { address: string }) => entry.address) : [address];
      const outside = addresses.find((one) => !isLoopback(one));
      if (outside !== undefined) return callback(new NonLoopbackConnectError(`${outside} (${hostname})`), '', 0);
      return callback(null, address, family);
    });
  };
}

/**
 * Wraps `Socket.prototype.connect`: the returned function refuses a non-loopback literal
 * host by throwing, and gives a host name a lookup that refuses non-loopback answers.
 */
export function loopbackOnly(connect: Connect): Connect {
  return function (this: Socket, ...args: unknown[]) {
    // net.createConnection passes [options, callback] already normalized, as one array.
    const normalized = Array.isArray(args[0]) ? (args[0] as unknown[]) : undefined;
    const first = normalized === undefined ? args[0] : normalized[0];
    const options: ConnectOptions =
      first !== null && typeof first === 'object' ? (first as ConnectOptions) : { host: typeof args[1] === 'string' ? args[1] : 'localhost' };
    if (options.path !== undefined) return connect.apply(this, args);
    const host = options.host ?? 'localhost';
    if (isIP(host) !== 0) {
      if (!isLoopback(host)) throw new NonLoopbackConnectError(host);
      return connect.apply(this, args);
    }
    const guarded = { ...options, lookup: loopbackLookup(options.lookup ?? (dnsLookup as LookupFunction)) };
    if (normalized !== undefined) normalized[0] = guarded; // keeps the array's "normalized" mark
    else if (first !== null && typeof first === 'object') args[0] = guarded;
    else return connect.call(this, { ...guarded, port: args[0] }, ...args.slice(2));
    return connect.apply(this, args);
  };
}

/** Marks the installed wrapper, so a test can check it is in place. */
const installedMark = Symbol('loopbackOnly');

/** Installs the hook for the test file that imports this module, and removes it after. */
export function useLoopbackOnly(): void {
  const original = Socket.prototype.connect;
  beforeAll(() => {
    Socket.prototype.connect = Object.assign(loopbackOnly(original as unknown as Connect), { [installedMark]: true }) as unknown as typeof original;
  });
  afterAll(() => {
    Socket.prototype.connect = original;
  });
}

/** Whether the hook is in place now. */
export function loopbackOnlyInstalled(): boolean {
  return (Socket.prototype.connect as unknown as Record<symbol, unknown>)[installedMark] === true;
}
