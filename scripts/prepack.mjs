#!/usr/bin/env node
// Every package's `prepack` (run by `pnpm pack` and `pnpm publish`, with the package's
// directory as the working directory): copies the repository's one LICENSE into the
// package, so every tarball carries it and no copy is kept in git to drift. It refuses npm:
// `npm pack` and `npm publish` keep `workspace:` ranges, which no app can install.
import { copyFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.npm_config_user_agent?.startsWith('npm/')) {
  const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  console.error(`[herald] pack with pnpm (\`npx --yes ${packageManager} run pack\` at the root): npm would keep the workspace: ranges`);
  process.exit(1);
}
copyFileSync(join(root, 'LICENSE'), join(process.cwd(), 'LICENSE'));
