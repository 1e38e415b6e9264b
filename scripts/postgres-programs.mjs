// Where the PostgreSQL server programs are, for scripts/ensure-postgresql.mjs (which
// installs them when missing) and the tests' starter (packages/store-postgres/test/
// postgres-server.ts), so the two never disagree on what the tests need or where it is.
// Debian keeps the programs off PATH, in /usr/lib/postgresql/<major>/bin.
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The programs the tests' starter runs. */
export const postgresPrograms = ['initdb', 'postgres', 'pg_isready', 'psql'];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Directories that may hold the programs: PATH first, then Debian's, newest major first. */
export function postgresProgramDirs() {
  let debian = [];
  try {
    debian = readdirSync('/usr/lib/postgresql')
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a))
      .map((major) => `/usr/lib/postgresql/${major}/bin`);
  } catch {
    // no Debian layout here
  }
  return [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...debian];
}

/** The first of `dirs` holding every one of {@link postgresPrograms}, or undefined. */
export function postgresBinDir(dirs = postgresProgramDirs()) {
  return dirs.find((dir) => postgresPrograms.every((program) => executable(join(dir, program))));
}
