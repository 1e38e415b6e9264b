'use strict';
// A CommonJS app: loads every Herald entry point with `require()`, which Node 20.19+ and
// 22.12+ allow for ES modules without top-level await (Herald's packages are ESM only).
const herald = {
  core: require('@herald/core'),
  coreStore: require('@herald/core/store'),
  coreTransport: require('@herald/core/transport'),
  http: require('@herald/http'),
  storeFile: require('@herald/store-file'),
  storeMemory: require('@herald/store-memory'),
  storeMemoryEngine: require('@herald/store-memory/engine'),
  storePostgres: require('@herald/store-postgres'),
  storeRedis: require('@herald/store-redis'),
  testing: require('@herald/testing'),
  transportConsole: require('@herald/transport-console'),
  transportWebhook: require('@herald/transport-webhook'),
  transportWebpush: require('@herald/transport-webpush'),
};
require('./scenario.cjs')
  .run(herald, (line) => console.log(`  [cjs] ${line}`))
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
