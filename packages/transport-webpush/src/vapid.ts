/**
 * The application server's VAPID identity (RFC 8292): a contact `subject` and a P-256
 * key pair, checked once when the transport is created so a wrong key is found at start,
 * not as 403s from every push service.
 */
import { createECDH } from 'node:crypto';
import { checkOptionsObject, describeValue, isLocalhostName, optionError } from '@herald/core/transport';
import { base64urlBytes, p256PointProblem } from './base64url.js';
import { webPush } from './web-push-library.js';

/** The application server's VAPID identity. */
export interface VapidDetails {
  /**
   * How a push service's operator can reach you (RFC 8292 §2.1): a `mailto:` or an
   * `https:` URL, such as `mailto:push@example.com`; not a `localhost` page.
   */
  readonly subject: string;
  /** The public key: an uncompressed P-256 point, 65 bytes, base64url (87 characters). */
  readonly publicKey: string;
  /** The private key: 32 bytes, base64url (43 characters). Keep it secret. */
  readonly privateKey: string;
}

const vapidNames = ['subject', 'publicKey', 'privateKey'] as const;
const source = 'transport-webpush';

/**
 * A new VAPID key pair (P-256), base64url, for {@link VapidDetails}. Generate it once
 * and keep it: browsers' subscriptions are bound to the public key.
 */
export function generateVapidKeys(): { readonly publicKey: string; readonly privateKey: string } {
  return webPush.generateVAPIDKeys();
}

function checkSubject(subject: unknown): string {
  const hint = 'give a mailto: or https: URL where the push service can reach you (RFC 8292 §2.1), such as mailto:push@example.com';
  if (typeof subject !== 'string') throw optionError(source, `vapid.subject must be a string; ${hint}, got ${describeValue(subject)}`);
  let url: URL;
  try {
    url = new URL(subject);
  } catch {
    throw optionError(source, `vapid.subject ${JSON.stringify(subject.slice(0, 100))} is not a URL; ${hint}`);
  }
  if (url.protocol !== 'mailto:' && url.protocol !== 'https:') throw optionError(source, `vapid.subject must be a mailto: or https: URL, not ${url.protocol}; ${hint}`);
  if (url.protocol === 'mailto:' && !/^[^@\s]+@[^@\s]+$/.test(url.pathname)) {
    throw optionError(source, `vapid.subject ${JSON.stringify(subject.slice(0, 100))} has no address after mailto:; ${hint}`);
  }
  // No push service's operator can reach a localhost page (RFC 6761 §6.3): Apple's refuses
  // such a token (BadJwtToken, a 403 per push), and web-push warns on the console per token.
  if (url.protocol === 'https:' && isLocalhostName(url.hostname)) {
    throw optionError(source, `vapid.subject ${JSON.stringify(subject.slice(0, 100))} names localhost, which no push service can reach; ${hint}`);
  }
  return subject;
}

function checkKey(name: 'publicKey' | 'privateKey', value: unknown, bytes: number, what: string): Buffer {
  const decoded = base64urlBytes(value, bytes, what);
  if (typeof decoded === 'string') throw optionError(source, `vapid.${name} ${decoded}; generateVapidKeys() makes a pair`);
  return decoded;
}

/**
 * Checks the VAPID identity: subject, key formats, and that the private key is the
 * public key's.
 * @throws TypeError (`code` `INVALID_OPTION`) naming the field.
 */
export function checkVapid(vapid: unknown): VapidDetails {
  checkOptionsObject(source, 'vapid ({ subject, publicKey, privateKey })', vapid, vapidNames);
  const given = vapid as Record<string, unknown>;
  const subject = checkSubject(given['subject']);
  const publicKey = checkKey('publicKey', given['publicKey'], 65, 'an uncompressed P-256 public key');
  const point = p256PointProblem(publicKey);
  if (point !== undefined) throw optionError(source, `vapid.publicKey ${point}; generateVapidKeys() makes a pair`);
  const privateKey = checkKey('privateKey', given['privateKey'], 32, 'a P-256 private key');
  const ecdh = createECDH('prime256v1');
  try {
    ecdh.setPrivateKey(privateKey);
  } catch {
    throw optionError(source, 'vapid.privateKey is not a valid P-256 private key; generateVapidKeys() makes a pair');
  }
  if (!ecdh.getPublicKey().equals(publicKey)) {
    throw optionError(source, 'vapid.privateKey does not belong to vapid.publicKey: give the two keys of one pair');
  }
  // web-push wants them unpadded.
  return { subject, publicKey: publicKey.toString('base64url'), privateKey: privateKey.toString('base64url') };
}
