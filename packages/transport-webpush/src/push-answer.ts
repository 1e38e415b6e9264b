/**
 * What a push service's answer means for a delivery (RFC 8030 §5, §6; RFC 8292 §4):
 * 201 (and any 2xx) delivered; 404 and 410 the subscription is gone, so it is
 * deactivated; 413 the message is too large; 429, 408, 425 and 5xx worth a retry, after
 * the service's `Retry-After`; 400, 401 and 403 refused, usually for the VAPID
 * identity; redirects and any other 4xx permanent.
 */
import { parseRetryAfter, TransportError } from '@herald/core/transport';

const retryableStatuses = new Set([408, 425, 429]);
const vapidHint = 'check the transport\u2019s vapid keys (the pair the browser subscribed with: its applicationServerKey is vapid.publicKey) and vapid.subject (a mailto: or https: URL)';

/** `undefined` for a delivered message, else the failure to report. */
export function classifyPushAnswer(status: number, retryAfter: string | undefined, detail: string, now: number): TransportError | undefined {
  if (status >= 200 && status <= 299) return undefined;
  const said = `the push service answered ${status}${detail === '' ? '' : `: ${detail}`}`;
  if (status === 404 || status === 410) return TransportError.endpointGone(`${said}; the browser's subscription has expired or was unsubscribed`);
  if (status === 413) return TransportError.permanent(`${said}; the message is too large for this push service`, { code: 'MESSAGE_TOO_LARGE' });
  if (status >= 500 || retryableStatuses.has(status)) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return TransportError.retryable(said, retryAfterMs === undefined ? {} : { retryAfterMs });
  }
  if (status === 400 || status === 401 || status === 403) return TransportError.permanent(`${said}; ${vapidHint}`);
  if (status >= 300 && status <= 399) return TransportError.permanent(`${said}; redirects are not followed (RFC 8030 push resources never redirect)`);
  return TransportError.permanent(said);
}
