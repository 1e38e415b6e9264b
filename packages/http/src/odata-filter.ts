/**
 * The small part of OData's `$filter` the feed needs: equality on `readState`,
 * `groupName` and `targetHostName`, joined with `and`:
 * `readState eq 'unread' and groupName eq 'TestGroup'`.
 */
import { HeraldError, type FeedListOptions } from '@herald/core';

const term = /^\s*(readState|groupName|targetHostName)\s+eq\s+'((?:[^']|'')*)'\s*$/;
const maxFilterLength = 1024;

/** The feed options a `$filter` asks for. */
export function parseFeedFilter(filter: string | null): Pick<FeedListOptions, 'unread' | 'groupName' | 'targetHostName'> {
  if (filter === null || filter.trim() === '') return {};
  if (filter.length > maxFilterLength) throw new HeraldError('INVALID_ARGUMENT', `$filter must be at most ${maxFilterLength} characters`);
  const options: { unread?: boolean; groupName?: string; targetHostName?: string } = {};
  for (const part of filter.split(/\s+and\s+/i)) {
    const match = term.exec(part);
    if (match === null) {
      throw new HeraldError('INVALID_ARGUMENT', `$filter supports readState, groupName and targetHostName with eq, joined by and; ${JSON.stringify(part.trim().slice(0, 80))} is not one of those`);
    }
    const [, field, quoted = ''] = match;
    const value = quoted.replace(/''/g, "'");
    if (field === 'readState') {
      if (value !== 'unread') throw new HeraldError('INVALID_ARGUMENT', "readState can be filtered on 'unread' only");
      options.unread = true;
    } else if (field === 'groupName') {
      options.groupName = value;
    } else {
      options.targetHostName = value;
    }
  }
  return options;
}
