/** The programs the PostgreSQL store's test starter runs. */
export declare const postgresPrograms: readonly string[];
/** Directories that may hold them: PATH first, then /usr/lib/postgresql/<major>/bin, newest first. */
export declare function postgresProgramDirs(): string[];
/** The first of `dirs` holding every one of {@link postgresPrograms}, or undefined. */
export declare function postgresBinDir(dirs?: readonly string[]): string | undefined;
