/**
 * What an HTTP answer means for a delivery, as the Standard Webhooks specification
 * suggests: 2xx delivered; 410 the endpoint is gone; 408, 425, 429 and 5xx worth a retry
 * (with the receiver's `Retry-After`); redirects and other 4xx permanent.
 */
import { parseRetryAfter, TransportError } from '@herald/core/transport';

const retryableStatuses = new Set([408, 425, 429]);

/** `undefined` for a delivered webhook, else the failure to report. */
export function classifyResponse(status: number, retryAfter: string | undefined, detail: string, now: number): TransportError | undefined {
  if (status >= 200 && status <= 299) return undefined;
  const said = `the receiver answered ${status}${detail === '' ? '' : `: ${detail}`}`;
  if (status === 410) return TransportError.endpointGone(said);
  if (status >= 500 || retryableStatuses.has(status)) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return TransportError.retryable(said, retryAfterMs === undefined ? {} : { retryAfterMs });
  }
  if (status >= 300 && status <= 399) {
    return TransportError.permanent(`${said}; redirects are not followed: subscribe with the final URL`);
  }
  return TransportError.permanent(said);
}
