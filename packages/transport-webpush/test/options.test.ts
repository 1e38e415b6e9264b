/**
 * Every option of the Web Push transport is checked when it is given: an unknown one, a
 * value of the wrong type or range, and a VAPID identity no push service would accept
 * (a subject that is not mailto: or https:, keys of the wrong size or of two pairs) are a
 * TypeError with code INVALID_OPTION naming the option.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { describe, expect, it } from 'vitest';
import { fixedSchedule } from '@herald/core';
import { createWebPushTransport, generateVapidKeys } from '@herald/transport-webpush';

const keys = generateVapidKeys();
const other = generateVapidKeys();
const vapid = { subject: 'mailto:push@example.com', ...keys };

function optionError(create: () => unknown): TypeError & { code?: string } {
  try {
    create();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return error as TypeError & { code?: string };
  }
  throw new Error('accepted');
}

const cases: readonly (readonly [options: Record<string, unknown>, message: RegExp])[] = [
  [{}, /vapid is required/],
  [{ vapid: undefined }, /vapid is required/],
  [{ vapid: null }, /vapid \(\{ subject, publicKey, privateKey \}\) must be an object, got null/],
  [{ vapid: { ...vapid, public_key: keys.publicKey } }, /unknown option public_key/],
  [{ vapid: { ...vapid, subject: undefined } }, /vapid\.subject must be a string/],
  [{ vapid: { ...vapid, subject: 'push@example.com' } }, /vapid\.subject "push@example\.com" is not a URL/],
  [{ vapid: { ...vapid, subject: 'http://example.com' } }, /vapid\.subject must be a mailto: or https: URL, not http:/],
  [{ vapid: { ...vapid, subject: 'mailto:' } }, /vapid\.subject "mailto:" has no address after mailto:/],
  [{ vapid: { ...vapid, subject: 'mailto:%E0%A4%A' } }, /vapid\.subject "mailto:%E0%A4%A" has no address after mailto:/],
  // A localhost subject: Apple's push service answers every push 403 BadJwtToken.
  ...['https://localhost', 'https://LOCALHOST:8443/contact', 'https://localhost./', 'https://app.localhost/', 'https://a.b.LocalHost../x'].map(
    (subject) => [{ vapid: { ...vapid, subject } }, /vapid\.subject ".*" names localhost, which no push service can reach; give a mailto: or https: URL/] as const,
  ),
  [{ vapid: { ...vapid, subject: `mailto:${'x'.repeat(100_000)}` } }, /^\[herald\] \[transport-webpush\] vapid\.subject "mailto:x{93}" has no address after mailto:.{0,300}$/],
  [{ vapid: { ...vapid, publicKey: undefined } }, /vapid\.publicKey must be base64url text of 65 bytes, got undefined/],
  [{ vapid: { ...vapid, publicKey: keys.publicKey.slice(0, 43) } }, /vapid\.publicKey must be 65 bytes .*got 32/],
  // '+' and '/' are base64's, not base64url's; a random key's plain base64 may hold neither.
  [{ vapid: { ...vapid, publicKey: `+${keys.publicKey.slice(1)}` } }, /vapid\.publicKey must be base64url/],
  [{ vapid: { ...vapid, publicKey: `/${keys.publicKey.slice(1)}` } }, /vapid\.publicKey must be base64url/],
  [{ vapid: { ...vapid, publicKey: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url') } }, /vapid\.publicKey is not a point on the P-256 curve/],
  [{ vapid: { ...vapid, privateKey: keys.publicKey } }, /vapid\.privateKey must be 32 bytes .*got 65/],
  [{ vapid: { ...vapid, privateKey: Buffer.alloc(32).toString('base64url') } }, /vapid\.privateKey is not a valid P-256 private key/],
  [{ vapid: { ...vapid, privateKey: other.privateKey } }, /vapid\.privateKey does not belong to vapid\.publicKey/],
  [{ vapid, timeout: 5000 }, /unknown option timeout \(did you mean timeoutMs\?\)/],
  [{ vapid, allowedNetwork: ['10.0.0.0/8'] }, /unknown option allowedNetwork \(did you mean allowedNetworks\?\)/],
  [{ vapid, timeoutMs: 0 }, /timeoutMs must be a positive whole number/],
  [{ vapid, timeoutMs: 2 ** 31 }, /timeoutMs must be at most 2147483647/],
  [{ vapid, maxSockets: 1.5 }, /maxSockets must be a positive whole number/],
  [{ vapid, agent: new HttpAgent() }, /agent must be an https\.Agent/],
  [{ vapid, agent: { ca: 'pem' } }, /agent must be an https\.Agent/],
  [{ vapid, retry: { delaysMs: [200] } }, /retry\.delayMs must be a function/],
  [{ vapid, name: ' webpush' }, /name must be a non-empty name/],
  [{ vapid, allowPrivateNetworks: 'yes' }, /allowPrivateNetworks must be true or false/],
  [{ vapid, allowedNetworks: ['10.0.0.0/33'] }, /\[transport-webpush\] allowedNetworks\[0\]: "10\.0\.0\.0\/33" is not a network/],
];

describe('createWebPushTransport', () => {
  it.each(cases)('refuses %o', (options, message) => {
    const error = optionError(() => createWebPushTransport(options as never));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toMatch(/^\[herald\] \[transport-webpush\] /);
    expect(error.message).toMatch(message);
  });

  it.each([null, [], 'mailto:push@example.com'])('refuses %j as its options', (options) => {
    expect(optionError(() => createWebPushTransport(options as never)).code).toBe('INVALID_OPTION');
  });

  it.each(['https://localhost.example.com/contact', 'https://mylocalhost/', 'https://localhost-push.example/'])('takes the subject %s, which only looks like localhost', (subject) => {
    expect(createWebPushTransport({ vapid: { ...vapid, subject } }).name).toBe('webpush');
  });

  it('accepts every option at a valid value', async () => {
    let destroyed = false;
    const agent = new (class extends HttpsAgent {
      override destroy(): void {
        destroyed = true;
        super.destroy();
      }
    })();
    const transport = createWebPushTransport({
      vapid: { subject: 'https://chat.example.com/contact', publicKey: `${keys.publicKey}=`, privateKey: keys.privateKey },
      name: 'browsers',
      timeoutMs: 2 ** 31 - 1,
      maxSockets: 1,
      agent,
      retry: fixedSchedule([1000]),
      allowedNetworks: ['10.0.0.0/8'],
      allowPrivateNetworks: false,
    });
    expect(transport.name).toBe('browsers');
    await transport.close?.();
    // The application's agent is its own: closing the transport leaves it usable.
    expect(destroyed).toBe(false);
    agent.destroy();
  });
});
