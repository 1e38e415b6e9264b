/**
 * The dead list across shards. Each shard keeps its dead deliveries in a sorted set by
 * the time they died; a page merges the shards in (time, reference) order, a total order
 * that Redis itself uses within a shard (ties by member bytes). The page token names
 * the last item's place in that order, so pages do not shift when more deliveries die.
 */
import { Buffer } from 'node:buffer';
import type { DeadDeliveryPage, DeliveryRecord } from '@herald/core/store';
import { storeError } from './errors.js';
import { deliveryFrom, fieldsOf, listOf, numberOf, textOf } from './records.js';
import { scripts } from './scripts/index.js';
import type { StoreContext } from './store-context.js';

/** A place in the dead list: when the delivery died and its reference. */
interface DeadPlace {
  readonly diedAt: number;
  readonly ref: Buffer;
}

/** One dead delivery with its place. */
interface DeadLetter extends DeadPlace {
  readonly delivery: DeliveryRecord;
}

const tokenPattern = /^(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)~([A-Za-z0-9_-]*)$/;

function compare(a: DeadPlace, b: DeadPlace): number {
  return a.diedAt - b.diedAt || Buffer.compare(a.ref, b.ref);
}

/** The token for the page after `place`. */
function deadPageToken(place: DeadPlace): string {
  return `${place.diedAt}~${place.ref.toString('base64url')}`;
}

/** The place a page token names; `INVALID_CURSOR` when the token is not one this store issued. */
function parseDeadPageToken(token: string): DeadPlace {
  const match = tokenPattern.exec(token);
  const diedAt = Number(match?.[1]);
  if (match === null || !Number.isFinite(diedAt)) {
    throw storeError('INVALID_CURSOR', 'the dead-delivery page token is not one this store issued; start again without it');
  }
  return { diedAt, ref: Buffer.from(match[2] ?? '', 'base64url') };
}

/** A page of dead deliveries of all shards, oldest death first. */
export async function listDeadDeliveries({ link, keyspace }: StoreContext, limit: number, after: string | undefined): Promise<DeadDeliveryPage> {
  const from = after === undefined ? undefined : parseDeadPageToken(after);
  const replies = await Promise.all(
    keyspace.everyShard().map((route) => link.run(scripts.deadPage, route.key, [route.tag, from?.diedAt ?? '', limit])),
  );
  const letters: DeadLetter[] = [];
  for (const reply of replies) {
    for (const entry of listOf(reply, 'the dead list')) {
      const [ref, diedAt, hash] = listOf(entry, 'a dead delivery');
      const letter = { ref: Buffer.from(textOf(ref, 'a dead reference')), diedAt: numberOf(diedAt, 'a death time'), delivery: deliveryFrom(fieldsOf(hash, 'a delivery')) };
      if (from === undefined || compare(letter, from) > 0) letters.push(letter);
    }
  }
  letters.sort(compare);
  const page = letters.slice(0, limit);
  const last = page[page.length - 1];
  const items = page.map((letter) => letter.delivery);
  return letters.length > limit && last !== undefined ? { items, next: deadPageToken(last) } : { items };
}
