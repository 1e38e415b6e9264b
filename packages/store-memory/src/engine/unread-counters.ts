/**
 * One user's unread notifications, counted by app, by group and by both, so
 * `countUnread` is a look-up rather than a scan of the feed. The counts include
 * notifications that expired but are not purged yet; the engine subtracts those.
 */
import type { StoredNotification, UnreadFilter } from '@herald/core/store';

/** Adds `delta` to `map[key]`, dropping keys that reach zero so the maps stay small. */
function bump(map: Map<string, number>, key: string, delta: number): void {
  const count = (map.get(key) ?? 0) + delta;
  if (count === 0) map.delete(key);
  else map.set(key, count);
}

/** True when `record` passes the filter's app and group conditions. */
export function matchesFilter(record: StoredNotification, filter: UnreadFilter): boolean {
  return (
    (filter.targetHostName === undefined || record.targetHostName === filter.targetHostName) &&
    (filter.groupName === undefined || record.groupName === filter.groupName)
  );
}

/** Unread counts of one user. */
export class UnreadCounters {
  #total = 0;
  readonly #byApp = new Map<string, number>();
  readonly #byGroup = new Map<string, number>();
  readonly #byAppAndGroup = new Map<string, Map<string, number>>();

  /** Counts `record` in (`delta` 1) or out (`delta` -1); a read record is not counted. */
  count(record: StoredNotification, delta: 1 | -1): void {
    if (record.readState !== 'unread') return;
    this.#total += delta;
    bump(this.#byApp, record.targetHostName, delta);
    if (record.groupName === undefined) return;
    bump(this.#byGroup, record.groupName, delta);
    let groups = this.#byAppAndGroup.get(record.targetHostName);
    if (groups === undefined) {
      groups = new Map();
      this.#byAppAndGroup.set(record.targetHostName, groups);
    }
    bump(groups, record.groupName, delta);
    if (groups.size === 0) this.#byAppAndGroup.delete(record.targetHostName);
  }

  /** Unread notifications that pass `filter`, expired ones included. */
  unread(filter: UnreadFilter): number {
    const { targetHostName, groupName } = filter;
    if (targetHostName === undefined && groupName === undefined) return this.#total;
    if (groupName === undefined) return this.#byApp.get(targetHostName as string) ?? 0;
    if (targetHostName === undefined) return this.#byGroup.get(groupName) ?? 0;
    return this.#byAppAndGroup.get(targetHostName)?.get(groupName) ?? 0;
  }
}
