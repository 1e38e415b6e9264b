import { runQuickstart } from './quickstart.js';

await runQuickstart();
