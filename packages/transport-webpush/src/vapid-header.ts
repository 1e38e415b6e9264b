/**
 * The `Authorization: vapid t=…, k=…` header (RFC 8292 §3), signed by web-push. A token
 * names one push service (`aud`, its origin) and is valid for 12 hours (web-push's `exp`,
 * within the 24 hours RFC 8292 §2 allows), so each origin's token is reused for an hour
 * instead of an ECDSA signature per push.
 */
import type { VapidDetails } from './vapid.js';
import { webPush } from './web-push-library.js';

const reuseMs = 60 * 60 * 1000;
// Browsers use a handful of push services; a bound keeps a flood of odd origins small.
const maxOrigins = 256;

/** The header for a push resource's origin, signed anew once an hour. */
export function vapidHeaders(vapid: VapidDetails): (origin: string) => string {
  const tokens = new Map<string, { readonly header: string; readonly until: number }>();
  return (origin) => {
    const now = Date.now();
    const known = tokens.get(origin);
    if (known !== undefined && known.until > now) return known.header;
    if (tokens.size >= maxOrigins) tokens.clear();
    const header = webPush.getVapidHeaders(origin, vapid.subject, vapid.publicKey, vapid.privateKey, 'aes128gcm').Authorization;
    tokens.set(origin, { header, until: now + reuseMs });
    return header;
  };
}
