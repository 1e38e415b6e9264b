/**
 * Dead deliveries of all users, by the time they died (then by the order they died in):
 * the operator's list of what needs attention. A page token names the last item's
 * place in that order, so pages do not shift when more deliveries die meanwhile.
 */
import type { DeliveryRecord } from '@herald/core/store';
import type { FinishedDelivery } from './delivery-record.js';
import type { HeraldError, HeraldErrorCode } from '@herald/core/store';

/** One dead delivery in the index. */
interface DeadLetter {
  readonly diedAt: number;
  readonly serial: number;
  readonly delivery: FinishedDelivery;
}

function before(a: { diedAt: number; serial: number }, b: { diedAt: number; serial: number }): boolean {
  return a.diedAt < b.diedAt || (a.diedAt === b.diedAt && a.serial < b.serial);
}

const tokenPattern = /^([-0-9.e+]+)~(\d+)$/;

/** The dead deliveries, oldest death first. */
export class DeadLetterIndex {
  readonly #fail: (code: HeraldErrorCode, message: string) => HeraldError;

  /** `fail` builds the errors, with the prefix of the store the engine serves. */
  constructor(fail: (code: HeraldErrorCode, message: string) => HeraldError) {
    this.#fail = fail;
  }

  /** Sorted by (diedAt, serial); deaths are rare, so a splice is cheap enough. */
  readonly #letters: DeadLetter[] = [];
  readonly #byDelivery = new Map<FinishedDelivery, DeadLetter>();
  #serial = 0;

  /** Adds a delivery that died at `diedAt`. */
  add(delivery: FinishedDelivery, diedAt: number): void {
    const letter: DeadLetter = { diedAt, serial: ++this.#serial, delivery };
    const index = this.#firstAfter(letter);
    this.#letters.splice(index, 0, letter);
    this.#byDelivery.set(delivery, letter);
  }

  /** Removes a dead delivery (retried or deleted); does nothing when it is not in. */
  remove(delivery: FinishedDelivery): void {
    const letter = this.#byDelivery.get(delivery);
    if (letter === undefined) return;
    this.#byDelivery.delete(delivery);
    const index = this.#firstAfter(letter) - 1;
    if (this.#letters[index] === letter) this.#letters.splice(index, 1);
  }

  /** Up to `limit` dead deliveries after the token `after`, with the token for the next page. */
  page(limit: number, after: string | undefined): { items: DeliveryRecord[]; next?: string } {
    let start = 0;
    if (after !== undefined) {
      const match = tokenPattern.exec(after);
      if (match === null || !Number.isFinite(Number(match[1]))) throw this.#fail('INVALID_CURSOR', 'the dead-delivery page token is not one this store issued; start again without it');
      start = this.#firstAfter({ diedAt: Number(match[1]), serial: Number(match[2]) });
    }
    const letters = this.#letters.slice(start, start + limit);
    const items = letters.map((letter) => letter.delivery.toRecord());
    const last = letters[letters.length - 1];
    return last !== undefined && start + limit < this.#letters.length
      ? { items, next: `${last.diedAt}~${last.serial}` }
      : { items };
  }

  /** The serial the last death got: a restored index goes on from it, so page tokens stay valid. */
  get serial(): number {
    return this.#serial;
  }

  /** Every dead delivery with its place in the order, oldest death first (for state images). */
  letters(): { readonly delivery: FinishedDelivery; readonly diedAt: number; readonly serial: number }[] {
    return this.#letters.slice();
  }

  /** Puts back a dead delivery read from a state image; call oldest death first. */
  restore(delivery: FinishedDelivery, diedAt: number, serial: number): void {
    const letter: DeadLetter = { diedAt, serial, delivery };
    this.#letters.push(letter);
    this.#byDelivery.set(delivery, letter);
    this.#serial = Math.max(this.#serial, serial);
  }

  /** Sets the serial to go on from after a restore, so page tokens issued before stay valid. */
  restoreSerial(serial: number): void {
    this.#serial = Math.max(this.#serial, serial);
  }

  /** Every dead delivery's id, in order (for the logical state). */
  ids(): string[] {
    return this.#letters.map((letter) => letter.delivery.id);
  }

  /** The index of the first letter after `place`. */
  #firstAfter(place: { diedAt: number; serial: number }): number {
    let low = 0;
    let high = this.#letters.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (before(place, this.#letters[middle] as DeadLetter)) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
