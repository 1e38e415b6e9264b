import { describe, expect, it } from 'vitest';
import { createFakeClock, createTestService, runStoreConformance, runTransportConformance } from '@herald/testing';
import { createMemoryStore } from '@herald/store-memory';

function thrownBy(make: () => unknown): Error {
  let error: unknown;
  try {
    make();
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(TypeError);
  return error as Error;
}

describe('options of the test kit', () => {
  it.each([
    { name: 'createFakeClock({ startAt })', make: () => createFakeClock({ startAt: 0 } as never), says: ['startAt', 'did you mean start?'] },
    { name: 'createFakeClock({ quiet })', make: () => createFakeClock({ quiet: 5 } as never), says: ['quiet', 'quietMs'] },
    { name: 'runStoreConformance({ createstore })', make: () => runStoreConformance({ name: 'x', createStore: () => createMemoryStore(), createstore: 1 } as never), says: ['createstore', 'did you mean createStore?'] },
    { name: 'runStoreConformance({ reopen })', make: () => runStoreConformance({ name: 'x', createStore: () => createMemoryStore(), reopen: () => 1 } as never), says: ['reopen', 'reopenStore'] },
    {
      name: 'runTransportConformance({ endpoints })',
      make: () => runTransportConformance({ name: 'x', createTransport: () => ({ name: 'x', send: async () => undefined }), endpoint: () => ({}) as never, endpoints: [] } as never),
      says: ['endpoints', 'did you mean endpoint?'],
    },
  ])('refuses $name, naming the option meant', ({ make, says }) => {
    const error = thrownBy(make);
    for (const words of says) expect(error.message).toContain(words);
  });

  it('refuses createTestService({ seeds }), naming seed', async () => {
    await expect(createTestService({ seeds: 1 } as never)).rejects.toThrow(/unknown option seeds \(did you mean seed\?\)/);
  });
});
