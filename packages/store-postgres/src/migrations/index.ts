/**
 * The schema's migrations, in order: each is applied once, in one transaction with its
 * record in the migrations table. A released migration never changes; a change of the
 * schema is a new migration at the end of the list.
 */
import type { SchemaNames } from '../schema.js';
import { initial } from './v1-initial.js';
import { preferences } from './v2-preferences.js';
import { recipientVersion } from './v3-recipient-version.js';
import { versionTriggers } from './v4-version-triggers.js';

/** One versioned step of the schema. */
export interface Migration {
  /** 1, 2, …: its place in the list. */
  readonly version: number;
  /** A short name for messages: `initial`. */
  readonly name: string;
  /** Its SQL, for a schema's names. */
  readonly sql: (names: SchemaNames) => string;
}

/** Every migration, oldest first. */
export const migrations: readonly Migration[] = [initial, preferences, recipientVersion, versionTriggers];

/** The version a schema has once every migration of this package is applied. */
export const latestVersion: number = migrations.length;

/** How messages name a migration: `2 (add-preferences)`. */
export function migrationLabel(migration: Migration): string {
  return `${migration.version} (${migration.name})`;
}
