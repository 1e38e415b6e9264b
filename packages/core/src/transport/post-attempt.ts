/**
 * One delivery attempt's POST for an HTTP transport (webhook, Web Push): `post` under
 * the attempt's signal and the transport's own deadline, with a failed request turned
 * into what it means for the delivery — so both transports read network failures alike.
 */
import { post, RefusedAddressError, type Connections, type PostAnswer } from './http-post.js';
import { TransportError } from './interface.js';

/** What {@link postAttempt} needs besides the request. */
export interface PostAttemptOptions {
  /** The attempt's signal (`context.signal`): the service stopping, or its attempt timeout. */
  readonly signal: AbortSignal;
  /** The transport's longest wait for the request and its answer, in milliseconds. */
  readonly timeoutMs: number;
  /** Most bytes of the answer read. */
  readonly maxResponseBytes: number;
  /** Who answers, for messages: `the receiver`, `the push service`. */
  readonly peer: string;
}

/**
 * POSTs `body` and resolves with the answer, whatever its status.
 * @throws the attempt signal's reason when it aborted; TransportError `timeout` past
 *   `timeoutMs`; permanent for an address the guard refuses; retryable for any other
 *   network failure (a reset, a DNS error), naming its code.
 */
export async function postAttempt(
  connections: Connections,
  url: URL,
  headers: Record<string, string>,
  body: string | Uint8Array,
  options: PostAttemptOptions,
): Promise<PostAnswer> {
  const { signal, timeoutMs, maxResponseBytes, peer } = options;
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    return await post(connections, url, headers, body, AbortSignal.any([signal, deadline]), maxResponseBytes);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (deadline.aborted) throw new TransportError('timeout', `${peer} did not answer within ${timeoutMs} ms`, { cause: error });
    if (error instanceof RefusedAddressError) throw TransportError.permanent(error.message, { cause: error });
    const code = (error as NodeJS.ErrnoException).code;
    throw TransportError.retryable(`the request failed${code === undefined ? '' : ` (${code})`}: ${(error as Error).message}`, { cause: error });
  }
}
