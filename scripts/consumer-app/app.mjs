// An ES module app: loads every Herald entry point with `import`.
import * as core from '@herald/core';
import * as coreStore from '@herald/core/store';
import * as coreTransport from '@herald/core/transport';
import * as http from '@herald/http';
import * as storeFile from '@herald/store-file';
import * as storeMemory from '@herald/store-memory';
import * as storeMemoryEngine from '@herald/store-memory/engine';
import * as storePostgres from '@herald/store-postgres';
import * as storeRedis from '@herald/store-redis';
import * as testing from '@herald/testing';
import * as transportConsole from '@herald/transport-console';
import * as transportWebhook from '@herald/transport-webhook';
import * as transportWebpush from '@herald/transport-webpush';
import scenario from './scenario.cjs';

const herald = { core, coreStore, coreTransport, http, storeFile, storeMemory, storeMemoryEngine, storePostgres, storeRedis, testing, transportConsole, transportWebhook, transportWebpush };
await scenario.run(herald, (line) => console.log(`  [esm] ${line}`));
