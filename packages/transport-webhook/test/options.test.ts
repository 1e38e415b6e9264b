/**
 * Every option of the webhook transport, the address guard and verifyWebhook is checked
 * when it is given: an unknown one (a slip such as `timeout`) or a value of the wrong
 * type or range is a TypeError with code INVALID_OPTION that names the option.
 */
import { describe, expect, it } from 'vitest';
import { fixedSchedule } from '@herald/core';
import { createAddressGuard, createWebhookTransport, generateWebhookSecret, verifyWebhook } from '@herald/transport-webhook';

/** The error `create` throws, which must be one. */
function optionError(create: () => unknown): TypeError & { code?: string } {
  try {
    create();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return error as TypeError & { code?: string };
  }
  throw new Error('accepted');
}

type Case = readonly [options: Record<string, unknown>, names: RegExp];

const webhookCases: readonly Case[] = [
  [{ timeout: 5000 }, /unknown option timeout \(did you mean timeoutMs\?\)/],
  [{ timeoutms: 5000 }, /unknown option timeoutms \(did you mean timeoutMs\?\)/],
  [{ maxSocket: 8 }, /unknown option maxSocket \(did you mean maxSockets\?\)/],
  [{ allowedNetwork: ['10.0.0.0/8'] }, /unknown option allowedNetwork \(did you mean allowedNetworks\?\)/],
  [{ allowPrivateNetwork: true }, /unknown option allowPrivateNetwork \(did you mean allowPrivateNetworks\?\)/],
  [{ secret: generateWebhookSecret() }, /unknown option secret \(did you mean secrets\?\)/],
  // Too far from any option for a guess: the message lists them instead.
  [{ retries: fixedSchedule([1000]) }, /unknown option retries; the options are .*\bretry\b/],
  [{ retry: fixedSchedule([1000]), retryDelay: 5 }, /unknown option retryDelay \(did you mean retry\?\)/],
  [{ user_agent: 'x' }, /unknown option user_agent \(did you mean userAgent\?\)/],
  [{ timeoutMs: 0 }, /timeoutMs must be a positive whole number/],
  [{ timeoutMs: 1.5 }, /timeoutMs must be a positive whole number/],
  [{ timeoutMs: '5000' }, /timeoutMs must be a positive whole number/],
  [{ timeoutMs: 2 ** 31 }, /timeoutMs must be at most 2147483647/],
  [{ maxResponseBytes: -1 }, /maxResponseBytes must be a positive whole number/],
  [{ maxSockets: Infinity }, /maxSockets must be a positive whole number/],
  [{ secrets: 'whsec_x' }, /secrets must be a function/],
  [{ eventType: 'notification.created' }, /eventType must be a function/],
  [{ retry: { delaysMs: [200, 200] } }, /retry\.delayMs must be a function.*fixedSchedule\(\[200,200\]\)/],
  [{ retry: { delayMs: () => 1, maxAttempts: 0 } }, /retry\.maxAttempts must be a whole number/],
  [{ name: '' }, /name must be a non-empty name/],
  [{ name: 7 }, /name must be a non-empty name/],
  [{ userAgent: 'Herald\r\nx-injected: 1' }, /userAgent must be visible ASCII/],
  [{ allowPrivateNetworks: 'yes' }, /allowPrivateNetworks must be true or false/],
  [{ allowedNetworks: '10.0.0.0/8' }, /allowedNetworks must be an array/],
  [{ allowedNetworks: ['10.0.0.0/33'] }, /allowedNetworks\[0\]: "10\.0\.0\.0\/33" is not a network/],
  [{ allowedNetworks: ['10.0.0.0/8', 'fd00::/129'] }, /allowedNetworks\[1\]: "fd00::\/129" is not a network/],
  [{ allowedNetworks: ['10/8'] }, /allowedNetworks\[0\]: "10\/8" is not a network/],
  [{ allowedNetworks: ['example.com'] }, /allowedNetworks\[0\]: "example\.com" is not a network/],
  [{ allowedNetworks: [10] }, /allowedNetworks\[0\]: 10 is not a network/],
];

describe('createWebhookTransport', () => {
  it.each(webhookCases)('refuses %o', (options, names) => {
    const error = optionError(() => createWebhookTransport(options as never));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toMatch(/^\[herald\] (\[transport-webhook\] )?/);
    expect(error.message).toMatch(names);
  });

  it.each([null, [], 'fast'])('refuses %j as its options', (options) => {
    expect(optionError(() => createWebhookTransport(options as never)).code).toBe('INVALID_OPTION');
  });

  it('accepts every option at a valid value', () => {
    const transport = createWebhookTransport({
      name: 'hooks',
      secrets: () => generateWebhookSecret(),
      timeoutMs: 2 ** 31 - 1,
      maxResponseBytes: 1,
      maxSockets: 1,
      retry: fixedSchedule([1000]),
      allowedNetworks: ['10.0.0.0/8', 'fd00::/8', '192.0.2.1', '::1'],
      allowPrivateNetworks: false,
      eventType: () => 'x',
      userAgent: 'Acme Hooks/2.0 (+https://acme.example)',
    });
    expect(transport.name).toBe('hooks');
    transport.close?.();
  });
});

describe('createAddressGuard', () => {
  it.each([
    [{ allowedNetwork: [] }, /unknown option allowedNetwork \(did you mean allowedNetworks\?\)/],
    [{ allowPrivate: true }, /unknown option allowPrivate \(did you mean allowPrivateNetworks\?\)/],
    [{ allowPrivateNetworks: 1 }, /allowPrivateNetworks must be true or false/],
    [{ allowedNetworks: ['1.2.3.4/8/1'] }, /is not a network/],
  ] as const)('refuses %o', (options, names) => {
    const error = optionError(() => createAddressGuard(options as never));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toMatch(names);
  });
});

describe('verifyWebhook', () => {
  const secret = generateWebhookSecret();
  it.each([
    [{ tolerance: 60 }, /unknown option tolerance \(did you mean toleranceSeconds\?\)/],
    [{ toleranceSecond: 60 }, /unknown option toleranceSecond \(did you mean toleranceSeconds\?\)/],
    [{ toleranceSeconds: -1 }, /toleranceSeconds must be a number of seconds, at least 0/],
    [{ toleranceSeconds: '300' }, /toleranceSeconds must be a number of seconds/],
    [{ now: new Date() }, /now must be a time in epoch milliseconds/],
    [{ now: Number.NaN }, /now must be a time in epoch milliseconds/],
  ] as const)('refuses %o', (options, names) => {
    const error = optionError(() => verifyWebhook(secret, {}, '', options as never));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toMatch(names);
  });
});
