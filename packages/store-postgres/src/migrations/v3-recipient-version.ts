/**
 * Migration 3: the user's recipient version, moved by every change of the user's
 * subscriptions or preferences (in the change's transaction, under the user's lock). A
 * send may plan its deliveries from a copy of them it read earlier, at some version; its
 * write checks the version under the lock and is refused when it moved, so a stale copy
 * never makes a send miss or use an endpoint (notification-batches.ts).
 */
import type { SchemaNames } from '../schema.js';
import type { Migration } from './index.js';

export const recipientVersion: Migration = {
  version: 3,
  name: 'recipient-version',
  sql: (s: SchemaNames) => `
ALTER TABLE ${s.users} ADD COLUMN version bigint NOT NULL DEFAULT 0;
`,
};
