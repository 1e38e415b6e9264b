/** The tests' Redis helper fails — it never skips — when redis-server is not installed. */
import { expect, it } from 'vitest';
import { startRedisServer } from './redis-server.js';

it('fails with a message that says how to install redis-server when it is not on PATH', async () => {
  const path = process.env['PATH'];
  process.env['PATH'] = '/nonexistent';
  try {
    await expect(startRedisServer()).rejects.toThrow(/redis-server is not on PATH.*apt-get install -y redis-server/);
  } finally {
    process.env['PATH'] = path;
  }
});
