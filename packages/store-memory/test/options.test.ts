import { describe, expect, it } from 'vitest';
import { createMemoryStore, NAME } from '@herald/store-memory';
import type { MemoryStoreOptions } from '@herald/store-memory';

describe('createMemoryStore options', () => {
  it('names itself and declares what it can do', () => {
    const store = createMemoryStore();
    expect(NAME).toBe('memory');
    expect(store.name).toBe('memory');
    expect(store.capabilities).toEqual({ durable: false, shared: false, wakeups: false, feedWakeups: false, sync: true, transactions: false });
    expect(store.onWake).toBeUndefined();
    expect(store.wake).toBeUndefined();
  });

  it('accepts no options, empty options and whole-number caps', () => {
    expect(() => createMemoryStore()).not.toThrow();
    expect(() => createMemoryStore({})).not.toThrow();
    expect(() => createMemoryStore({ maxNotificationsPerUser: 1, maxNotifications: 1_000_000 })).not.toThrow();
    expect(() => createMemoryStore({ maxNotifications: undefined })).not.toThrow();
  });

  it.each([
    ['maxNotificationsPerUser', 0],
    ['maxNotificationsPerUser', -1],
    ['maxNotificationsPerUser', 1.5],
    ['maxNotificationsPerUser', Number.NaN],
    ['maxNotificationsPerUser', Number.POSITIVE_INFINITY],
    ['maxNotifications', '10'],
    ['maxNotifications', null],
  ])('rejects %s = %s with a TypeError naming the option', (name, value) => {
    const create = () => createMemoryStore({ [name]: value } as unknown as MemoryStoreOptions);
    expect(create).toThrow(TypeError);
    expect(create).toThrow(new RegExp(`^\\[herald\\] \\[store-memory\\] option ${name} must be a whole number`));
  });

  it('rejects an unknown option, naming it', () => {
    expect(() => createMemoryStore({ maxNotificationPerUser: 5 } as unknown as MemoryStoreOptions)).toThrow(
      /\[herald\] \[store-memory\] unknown option maxNotificationPerUser/,
    );
  });

  it('rejects options that are not an object', () => {
    expect(() => createMemoryStore(42 as unknown as MemoryStoreOptions)).toThrow(TypeError);
    expect(() => createMemoryStore([] as unknown as MemoryStoreOptions)).toThrow(/options must be an object/);
  });
});
