/**
 * The test-only connect hook, checked against a stub `connect`: no socket is opened here,
 * so a broken hook cannot send a packet while it is being tested.
 */
import type { LookupFunction, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isLoopback, loopbackOnly, NonLoopbackConnectError } from '../src/loopback-only.js';

function stub(): { calls: unknown[][]; connect: (this: Socket, ...args: unknown[]) => unknown } {
  const calls: unknown[][] = [];
  return { calls, connect: (...args: unknown[]) => calls.push(args) };
}

/** A lookup answering with fixed addresses, as `all: true` or as one address. */
const answering = (addresses: string[]): LookupFunction => (_hostname, options, callback) => {
  if (options.all === true) return (callback as unknown as (e: null, a: object[]) => void)(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  return callback(null, addresses[0] ?? '', 4);
};

/** What the wrapped lookup the hook handed to `connect` answers. */
function lookupThrough(calls: unknown[][], all: boolean): Promise<unknown> {
  const options = (calls[0]?.[0] as { lookup: LookupFunction }[])[0] ?? (calls[0]?.[0] as { lookup: LookupFunction });
  return new Promise((resolve) => options.lookup('receiver.test', { all }, (error, address) => resolve(error ?? address)));
}

describe('the loopback-only connect hook', () => {
  it.each(['127.0.0.1', '127.255.255.254', '::1', '::ffff:127.0.0.1'])('lets a connection to %s through', (host) => {
    const { calls, connect } = stub();
    loopbackOnly(connect).call({} as Socket, { host, port: 80 });
    expect(calls).toHaveLength(1);
    expect(isLoopback(host)).toBe(true);
  });

  it.each(['10.0.0.1', '169.254.169.254', '192.0.2.1', '::7f00:1', '::ffff:10.0.0.1', '2001:db8::1', 'fe80::1'])('throws before connecting to %s', (host) => {
    const { calls, connect } = stub();
    expect(() => loopbackOnly(connect).call({} as Socket, { host, port: 80 })).toThrow(NonLoopbackConnectError);
    expect(() => loopbackOnly(connect).call({} as Socket, 80, host)).toThrow(NonLoopbackConnectError);
    expect(calls).toHaveLength(0);
  });

  it('fails the lookup of a host name that resolves outside loopback, in every calling form', async () => {
    for (const all of [false, true]) {
      // A lookup asked for one address connects to the first; asked for all, to any.
      for (const [addresses, allowed] of [[['127.0.0.1'], true], [['192.0.2.1'], false], [['127.0.0.1', '10.0.0.1'], !all]] as const) {
        const { calls, connect } = stub();
        const normalized = Object.assign([{ host: 'receiver.test', port: 80, lookup: answering([...addresses]) }, null], { marked: true });
        loopbackOnly(connect).call({} as Socket, normalized);
        expect(calls[0]?.[0]).toBe(normalized); // the normalized array itself is passed on
        const answer = await lookupThrough(calls, all);
        if (allowed) expect(answer).not.toBeInstanceOf(Error);
        else expect(answer).toBeInstanceOf(NonLoopbackConnectError);
      }
    }
  });
});
