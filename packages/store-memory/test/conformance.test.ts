import { runStoreConformance } from '@herald/testing';
import { createMemoryStore } from '@herald/store-memory';
runStoreConformance({ name: 'memory', createStore: () => createMemoryStore() });
