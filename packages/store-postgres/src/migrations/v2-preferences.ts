/**
 * Migration 2: users' preferences (JSON, as `setPreferences` was given them; NULL when
 * never set) on the user's row, which a send locks, so a send reads them in its write;
 * and the delivery decisions a send keeps with its notification (text as the service
 * encoded it; NULL when it kept none).
 */
import type { SchemaNames } from '../schema.js';
import type { Migration } from './index.js';

export const preferences: Migration = {
  version: 2,
  name: 'preferences',
  sql: (s: SchemaNames) => `
ALTER TABLE ${s.users} ADD COLUMN preferences json;
ALTER TABLE ${s.notifications} ADD COLUMN decisions text;
`,
};
