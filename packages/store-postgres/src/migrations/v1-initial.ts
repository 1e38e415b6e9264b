/**
 * Migration 1: Herald's tables. Times are epoch milliseconds (`bigint`); content and
 * texts that may hold any Unicode (a payload, an address, an error message — U+0000
 * included, which `text` and `jsonb` refuse) are `json`, kept exactly as written.
 */
import type { SchemaNames } from '../schema.js';
import type { Migration } from './index.js';

export const initial: Migration = {
  version: 1,
  name: 'initial',
  sql: (s: SchemaNames) => `
CREATE TABLE ${s.users} (
  user_id text PRIMARY KEY,
  -- The user's change sequence: every write to the user's feed or subscriptions locks this row.
  sequence bigint NOT NULL DEFAULT 0,
  -- The highest sequence of a purged tombstone: older change cursors are refused.
  purged_through bigint NOT NULL DEFAULT 0
);

CREATE TABLE ${s.notifications} (
  user_id text NOT NULL,
  id text NOT NULL,
  target_host_name text NOT NULL,
  app_notification_id text NOT NULL,
  group_name text,
  -- The feed position: the sequence of the last creation or update (keyset pagination).
  position bigint NOT NULL,
  created_sequence bigint NOT NULL,
  -- The sequence of the last change (the change feed).
  sequence bigint NOT NULL,
  read_state text NOT NULL,
  user_action_state text NOT NULL,
  expires_at bigint NOT NULL,
  created_at bigint NOT NULL,
  modified_at bigint NOT NULL,
  content json NOT NULL,
  PRIMARY KEY (user_id, id),
  UNIQUE (user_id, target_host_name, app_notification_id)
);
CREATE INDEX notifications_feed ON ${s.notifications} (user_id, position DESC);
CREATE INDEX notifications_changes ON ${s.notifications} (user_id, sequence);
CREATE INDEX notifications_expiry ON ${s.notifications} (expires_at);
-- The unread notifications by expiry: the ones expired but not purged yet, which the unread count takes off its counters.
CREATE INDEX notifications_unread_expiry ON ${s.notifications} (user_id, expires_at) WHERE read_state = 'unread';

-- Unread notifications per user, app and group (group_key: '' without a group, '=' and the
-- name with one), kept by every write that holds the user's lock: the unread count reads a
-- user's few rows here instead of their notifications.
CREATE TABLE ${s.unreadCounts} (
  user_id text NOT NULL,
  target_host_name text NOT NULL,
  group_key text NOT NULL,
  unread bigint NOT NULL,
  PRIMARY KEY (user_id, target_host_name, group_key)
);

CREATE TABLE ${s.tombstones} (
  user_id text NOT NULL,
  sequence bigint NOT NULL,
  notification_id text NOT NULL,
  deleted_at bigint NOT NULL,
  PRIMARY KEY (user_id, sequence)
);
CREATE INDEX tombstones_age ON ${s.tombstones} (deleted_at);

CREATE TABLE ${s.subscriptions} (
  id text PRIMARY KEY,
  user_id text NOT NULL,
  -- Creation order, which breaks ties of equal creation times.
  serial bigserial NOT NULL,
  target_host_name text NOT NULL,
  platform_type text NOT NULL,
  transport text NOT NULL,
  status text NOT NULL,
  created_at bigint NOT NULL,
  modified_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  -- address, secret and statusReason: any Unicode.
  details json NOT NULL
);
CREATE INDEX subscriptions_user ON ${s.subscriptions} (user_id, serial);
CREATE INDEX subscriptions_expiry ON ${s.subscriptions} (expires_at) WHERE status = 'active';

CREATE SEQUENCE ${s.deadSerial};

CREATE TABLE ${s.deliveries} (
  user_id text NOT NULL,
  id text NOT NULL,
  -- Insertion order: a notification's deliveries are listed oldest first.
  serial bigserial NOT NULL,
  notification_id text NOT NULL,
  subscription_id text NOT NULL,
  transport text NOT NULL,
  platform_type text NOT NULL,
  kind text NOT NULL,
  status text NOT NULL,
  attempts integer NOT NULL,
  next_attempt_at bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  delivered_at bigint,
  last_error json,
  lease_owner text,
  lease_token text,
  lease_expires_at bigint,
  -- When an open delivery may be claimed (core's claimableAt); NULL once finished.
  claimable_at bigint,
  -- Set while dead: the dead-delivery list's order.
  died_at bigint,
  dead_serial bigint,
  -- Set for a deletion's sync: it goes when this tombstone is purged.
  tombstone_sequence bigint,
  PRIMARY KEY (user_id, id)
);
CREATE INDEX deliveries_due ON ${s.deliveries} (claimable_at) WHERE claimable_at IS NOT NULL;
CREATE INDEX deliveries_notification ON ${s.deliveries} (user_id, notification_id, serial);
CREATE INDEX deliveries_open_by_subscription ON ${s.deliveries} (subscription_id) WHERE claimable_at IS NOT NULL;
CREATE INDEX deliveries_dead ON ${s.deliveries} (died_at, dead_serial) WHERE died_at IS NOT NULL;
CREATE INDEX deliveries_tombstone ON ${s.deliveries} (user_id, tombstone_sequence) WHERE tombstone_sequence IS NOT NULL;

CREATE TABLE ${s.idempotencyKeys} (
  user_id text NOT NULL,
  key text NOT NULL,
  fingerprint text NOT NULL,
  expires_at bigint NOT NULL,
  created boolean NOT NULL,
  notification json NOT NULL,
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_expiry ON ${s.idempotencyKeys} (expires_at);
`,
};
