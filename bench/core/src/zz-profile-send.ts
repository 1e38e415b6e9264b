import { heraldRate } from './send-and-deliver.js';
await heraldRate(5000);
console.log(await heraldRate(60000));
