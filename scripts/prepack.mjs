#!/usr/bin/env node
// Every package's `prepack` (run by `pnpm pack`, `pnpm publish` and their npm twins, with
// the package's directory as the working directory): copies the repository's one LICENSE
// into the package, so every tarball carries it and no copy is kept in git to drift.
import { copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
copyFileSync(join(root, 'LICENSE'), join(process.cwd(), 'LICENSE'));
