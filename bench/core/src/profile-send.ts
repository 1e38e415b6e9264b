/**
 * The send-and-deliver hot path alone, for profiling:
 * `node --cpu-prof --import tsx src/profile-send.ts` writes a .cpuprofile to open in
 * Chrome DevTools or to summarize by self time.
 */
import { heraldRate } from './send-and-deliver.js';

await heraldRate(5000);
process.stdout.write(`${Math.round(await heraldRate(60_000))} notifications/s\n`);
