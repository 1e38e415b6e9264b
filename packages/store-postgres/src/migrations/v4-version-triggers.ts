/**
 * Migration 4: the database moves the user's recipient version (migration 3) itself, for
 * every writer — this package's code, an instance of an earlier release still running
 * during a rolling upgrade, an operator's hand edit — so no write to a user's
 * subscriptions or preferences can leave a send's copy of them vouched for by an unchanged
 * version. These triggers are the one owner of that rule: the store's code does not move it.
 *
 * Subscriptions: one trigger per statement and event (transition tables allow one event
 * each), moving the version of every user whose rows the statement inserted, changed or
 * deleted, once per statement. It is one upsert in user order — the order the store's writes
 * of several users lock them in (lockUsers, users.ts), so a statement that touches many users
 * cannot deadlock with them; a batch of sends never waits for a user's lock (SKIP LOCKED,
 * batch-statement.ts) — and it makes a missing user's row: a send that makes the row concurrently
 * waits for it (or the trigger waits for the send's row), so the version moves after any
 * read of the subscriptions without this change. A writer that locked the user first (the
 * store, every earlier release) already holds the row: the trigger takes no new lock.
 *
 * Preferences (on the user's row, migration 2): a row trigger before any update that sets
 * them moves the version in the same row write. A user's first preferences make the row,
 * and no copy of a user is kept before the row exists (recipients.ts).
 */
import type { SchemaNames } from '../schema.js';
import type { Migration } from './index.js';

/** The upsert that moves the version of the users in `changed` (a query of user ids). */
function moveVersions(s: SchemaNames, changed: string): string {
  return `INSERT INTO ${s.users} AS u (user_id) SELECT DISTINCT user_id FROM (${changed}) AS changed ORDER BY user_id
      ON CONFLICT (user_id) DO UPDATE SET version = u.version + 1;`;
}

export const versionTriggers: Migration = {
  version: 4,
  name: 'version-triggers',
  sql: (s: SchemaNames) => `
CREATE FUNCTION ${s.quoted}.herald_subscribers_version() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF TG_OP = 'INSERT' THEN
    ${moveVersions(s, 'SELECT user_id FROM new_rows')}
  ELSIF TG_OP = 'DELETE' THEN
    ${moveVersions(s, 'SELECT user_id FROM old_rows')}
  ELSE
    ${moveVersions(s, 'SELECT user_id FROM new_rows UNION ALL SELECT user_id FROM old_rows')}
  END IF;
  RETURN NULL;
END
$body$;
CREATE TRIGGER subscriptions_inserted_version AFTER INSERT ON ${s.subscriptions}
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${s.quoted}.herald_subscribers_version();
CREATE TRIGGER subscriptions_updated_version AFTER UPDATE ON ${s.subscriptions}
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${s.quoted}.herald_subscribers_version();
CREATE TRIGGER subscriptions_deleted_version AFTER DELETE ON ${s.subscriptions}
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${s.quoted}.herald_subscribers_version();

CREATE FUNCTION ${s.quoted}.herald_preferences_version() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  NEW.version := OLD.version + 1;
  RETURN NEW;
END
$body$;
CREATE TRIGGER preferences_version BEFORE UPDATE OF preferences ON ${s.users}
  FOR EACH ROW EXECUTE FUNCTION ${s.quoted}.herald_preferences_version();
`,
};
