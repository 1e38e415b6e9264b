/**
 * The statements of a batch of sends (group commit, notification-batches.ts): each send
 * a new notification of a user who has a row, planned from the user's recipient at a
 * known version. One transaction: the users' locks (those free now: see lockStatement),
 * then one data-modifying statement that, for each send whose checks pass
 * under the lock, inserts the notification and its deliveries, records the idempotency
 * key, moves the user's sequence and unread counter — and answers each send's outcome.
 * A send whose checks fail writes nothing and says why: its user has no row (`missing`),
 * its user's row is locked by another transaction (`busy`), its key was recorded (`replay`), its plan is stale (`stale`: the recipient version
 * moved), or its app id is taken (`exists`: an update, which the one-send path does).
 * Each statement runs after the one before it, so the write sees everything committed
 * before the locks were granted.
 */
import type { ListedNotificationWrite, NotificationContent, StoredNotification } from '@herald/core/store';
import { claimableAt } from '@herald/core/store';
import { wakePayload } from './announcements.js';
import type { Statement } from './database.js';
import type { SchemaNames } from './schema.js';
import { big } from './rows.js';
import { groupKey } from './unread-counts.js';

/** One send of a batch. */
export interface BatchedSend {
  /** The send, its deliveries planned. */
  readonly write: ListedNotificationWrite;
  /** The contract's fields of its notification. */
  readonly content: NotificationContent;
  /** The recipient version its deliveries were planned at. */
  readonly version: number;
  /** Its epoch ms of expiry. */
  readonly expiresAt: number;
  /** The notification as it is stored when created, with sequence 0: its sequence is known only under the lock. */
  readonly record: StoredNotification;
}

/** What the batch did with one send. */
export type BatchOutcome =
  | { readonly kind: 'saved'; readonly sequence: number }
  | { readonly kind: 'replay'; readonly fingerprint: string; readonly created: boolean; readonly notification: StoredNotification }
  | { readonly kind: 'missing' | 'busy' | 'stale' | 'exists' };

/** A row of the write's answer, one per send in order. */
interface OutcomeRow {
  readonly outcome: 'saved' | 'replay' | 'missing' | 'busy' | 'stale' | 'exists';
  readonly sequence: string | null;
  readonly fingerprint: string | null;
  readonly created: boolean | null;
  readonly notification: StoredNotification | null;
}

/** The transaction-local setting that names the users whose locks the batch holds (a JSON array). */
const lockedSetting = 'herald.batch_locked_users';

/**
 * The users' locks, without waiting: a user whose row another transaction holds (an app's
 * transaction still open after its send, another instance's write) is skipped, so one busy
 * user never holds up the other sends of the batch — nor, through the batches in flight,
 * every send of the instance. The users locked are recorded in a transaction-local setting
 * for the write, which runs as the next statement and so sees everything committed before
 * these locks were granted; a skipped user's send is answered `busy` and written alone,
 * waiting for its lock there. SKIP LOCKED never waits, so batches cannot deadlock.
 */
function lockStatement(names: SchemaNames, userIds: readonly string[]): Statement {
  return {
    text: `SELECT set_config('${lockedSetting}', coalesce(json_agg(user_id)::text, '[]'), true) FROM (SELECT user_id FROM ${names.users} WHERE user_id = ANY($1::text[]) FOR UPDATE SKIP LOCKED) AS locked`,
    values: [userIds],
  };
}

function writeText(s: SchemaNames): string {
  return `WITH s AS (
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::text[], $11::text[],
    $12::text[], $13::text[], $14::bigint[], $15::text[])
    WITH ORDINALITY AS s(user_id, version, id, host, app_id, group_name, group_key, expires_at, now, content, decisions, ikey, ifingerprint, iexpires, irecord, ord)
), checked AS (
  SELECT s.*, u.sequence + 1 AS seq, u.version AS current_version, k.fingerprint AS kept_fingerprint, k.created AS kept_created, k.notification AS kept_notification,
    EXISTS (SELECT 1 FROM ${s.notifications} n WHERE n.user_id = s.user_id AND n.target_host_name = s.host AND n.app_notification_id = s.app_id) AS taken
  FROM s
  LEFT JOIN ${s.users} u ON u.user_id = s.user_id AND u.user_id IN (SELECT json_array_elements_text(current_setting('${lockedSetting}')::json))
  LEFT JOIN ${s.idempotencyKeys} k ON k.user_id = s.user_id AND k.key = s.ikey AND k.expires_at > s.now
), ok AS (
  SELECT * FROM checked WHERE current_version = version AND kept_fingerprint IS NULL AND NOT taken
), notified AS (
  INSERT INTO ${s.notifications} (user_id, group_name, position, created_sequence, sequence, expires_at, created_at, modified_at, content,
    id, decisions, target_host_name, app_notification_id, read_state, user_action_state)
  SELECT user_id, group_name, seq, seq, seq, expires_at, now, now, content::json, id, decisions, host, app_id, 'unread', 'noInteraction' FROM ok
), delivered AS (
  INSERT INTO ${s.deliveries} (user_id, id, notification_id, subscription_id, transport, platform_type, kind, status, attempts,
    next_attempt_at, created_at, updated_at, claimable_at, tombstone_sequence)
  SELECT ok.user_id, d.id, ok.id, d.subscription_id, d.transport, d.platform_type, d.kind, 'pending', 0, d.next_attempt_at, ok.now, ok.now, d.claimable_at, NULL
  FROM unnest($16::bigint[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::bigint[], $23::bigint[])
    WITH ORDINALITY AS d(send, id, subscription_id, transport, platform_type, kind, next_attempt_at, claimable_at, ord)
  JOIN ok ON ok.ord = d.send
  ORDER BY d.ord
), keyed AS (
  INSERT INTO ${s.idempotencyKeys} (user_id, key, fingerprint, expires_at, created, notification)
  SELECT user_id, ikey, ifingerprint, iexpires, true, (left(irecord, -1) || ',"sequence":' || seq || '}')::json FROM ok WHERE ikey IS NOT NULL
  ON CONFLICT (user_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, expires_at = excluded.expires_at, created = excluded.created, notification = excluded.notification
), sequenced AS (
  UPDATE ${s.users} u SET sequence = ok.seq FROM ok WHERE u.user_id = ok.user_id
), counted AS (
  INSERT INTO ${s.unreadCounts} AS c (user_id, target_host_name, group_key, unread) SELECT user_id, host, group_key, 1 FROM ok
  ON CONFLICT (user_id, target_host_name, group_key) DO UPDATE SET unread = c.unread + excluded.unread
)
SELECT CASE WHEN current_version IS NULL
      THEN CASE WHEN EXISTS (SELECT 1 FROM ${s.users} b WHERE b.user_id = checked.user_id) THEN 'busy' ELSE 'missing' END
    WHEN kept_fingerprint IS NOT NULL THEN 'replay' WHEN current_version <> version THEN 'stale'
    WHEN taken THEN 'exists' ELSE 'saved' END AS outcome,
  seq AS sequence, kept_fingerprint AS fingerprint, kept_created AS created, kept_notification AS notification
FROM checked ORDER BY ord`;
}

/** The write's texts by schema: built once. */
const writeTexts = new WeakMap<SchemaNames, string>();

/** What `notificationRecord` writes last: its sequence, here 0. */
const sequenceSuffix = ',"sequence":0}';

/** The JSON of `record` without its sequence, ending in '}': SQL appends the real one. */
function withoutSequence(record: StoredNotification): string {
  const json = JSON.stringify(record);
  if (!json.endsWith(sequenceSuffix)) throw new Error(`a notification record's JSON does not end with its sequence: ${json.slice(-40)}`);
  return `${json.slice(0, -sequenceSuffix.length)}}`;
}

/** The values of the write: one array per column, one element per send (and per delivery). */
function writeValues(sends: readonly BatchedSend[]): unknown[] {
  const columns: unknown[][] = Array.from({ length: 23 }, () => []);
  const push = (values: readonly unknown[], from: number): void => values.forEach((value, index) => (columns[from + index] as unknown[]).push(value));
  sends.forEach(({ write, content, version, expiresAt, record }, index) => {
    const { idempotency, now } = write;
    push(
      [
        write.notification.userId,
        version,
        write.notification.id,
        content.targetHostName,
        content.appNotificationId,
        content.groupName ?? null,
        groupKey(content.groupName),
        expiresAt,
        now,
        JSON.stringify(content),
        write.decisions ?? null,
        idempotency?.key ?? null,
        idempotency?.fingerprint ?? null,
        idempotency?.expiresAt ?? null,
        idempotency === undefined ? null : withoutSequence(record),
      ],
      0,
    );
    for (const delivery of write.deliveries) {
      const claimable = claimableAt({ status: 'pending', attempts: 0, nextAttemptAt: delivery.nextAttemptAt, updatedAt: now }) ?? null;
      push([index + 1, delivery.id, delivery.subscriptionId, delivery.transport, delivery.platformType, delivery.kind, delivery.nextAttemptAt, claimable], 15);
    }
  });
  return columns;
}

/**
 * The statements of `sends` (of distinct users): the locks, the write, and a wake-up of
 * the dispatchers at commit from `instance` when any send has deliveries (a send the
 * write refuses may leave it without work: a wake-up finds nothing then).
 */
export function batchStatements(names: SchemaNames, sends: readonly BatchedSend[], instance: string): Statement[] {
  let text = writeTexts.get(names);
  if (text === undefined) writeTexts.set(names, (text = writeText(names)));
  const statements = [lockStatement(names, sends.map(({ write }) => write.notification.userId)), { text, values: writeValues(sends) }];
  if (sends.some(({ write }) => write.deliveries.length > 0)) statements.push({ text: 'SELECT pg_notify($1, $2)', values: [names.channel, wakePayload(instance)] });
  return statements;
}

/** Each send's outcome, from the write's rows (one per send, in order). */
export function batchOutcomes(rows: readonly unknown[]): BatchOutcome[] {
  return (rows as readonly OutcomeRow[]).map((row): BatchOutcome => {
    if (row.outcome === 'saved') return { kind: 'saved', sequence: big(row.sequence ?? 0) };
    if (row.outcome === 'replay') return { kind: 'replay', fingerprint: row.fingerprint ?? '', created: row.created === true, notification: row.notification as StoredNotification };
    return { kind: row.outcome };
  });
}
