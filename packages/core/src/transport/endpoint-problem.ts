/**
 * One rule for an endpoint a transport cannot use, judged from its subscription alone:
 * refused with `INVALID_ENDPOINT` when the subscription is created (`checkEndpoint`), and
 * a permanent failure when a stored one meets the rule at `send` (stored before the rule,
 * or by another version), never a retry that cannot succeed.
 */
import { errorFactory } from '../errors.js';
import { TransportError } from './interface.js';

/** A reason an endpoint cannot be used, naming the subscription field at fault. */
export class EndpointProblem extends Error {
  /** The subscription field at fault (`address`, `secret`). */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'EndpointProblem';
    this.field = field;
  }
}

/**
 * Runs `judge` for `checkEndpoint`: an {@link EndpointProblem} becomes a HeraldError
 * `INVALID_ENDPOINT` from `source` (e.g. `transport-webhook`); other errors pass through.
 */
export function checkedEndpoint<T>(source: string, judge: () => T): T {
  try {
    return judge();
  } catch (error) {
    if (error instanceof EndpointProblem) throw errorFactory(source)('INVALID_ENDPOINT', error.message, { cause: error });
    throw error;
  }
}

/**
 * Runs `judge` for `send`: an {@link EndpointProblem} becomes a permanent
 * {@link TransportError}; other errors pass through.
 */
export async function usableEndpoint<T>(judge: () => T | Promise<T>): Promise<T> {
  try {
    return await judge();
  } catch (error) {
    if (error instanceof EndpointProblem) throw TransportError.permanent(error.message, { cause: error });
    throw error;
  }
}
