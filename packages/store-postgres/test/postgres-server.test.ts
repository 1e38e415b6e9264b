/**
 * The tests' PostgreSQL starter: a cluster of its own on loopback that keeps its data
 * across a restart and a crash, and a clear failure — never a skip — when the server
 * programs are not installed.
 */
import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { startPostgresServer } from './postgres-server.js';

it('starts a cluster on loopback that keeps committed data across a fast restart, a shutdown and a SIGKILL of every server process', async () => {
  const server = await startPostgresServer();
  try {
    expect(server.connectionString).toBe(`postgres://postgres@127.0.0.1:${server.port}/postgres`);
    expect(await server.sql('SHOW listen_addresses')).toBe('127.0.0.1');
    await server.sql('CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)');
    await server.restart();
    await server.sql('INSERT INTO kept VALUES (2)');
    await server.shutdown();
    await expect(server.sql('SELECT 1')).rejects.toThrow();
    await server.restart();
    await server.sql('INSERT INTO kept VALUES (3)');
    await server.kill();
    await expect(server.sql('SELECT 1')).rejects.toThrow();
    await server.restart();
    expect(await server.sql('SELECT string_agg(n::text, \',\' ORDER BY n) FROM kept')).toBe('1,2,3');
  } finally {
    await server.stop();
  }
  expect(existsSync(server.dir)).toBe(false);
  await expect(server.sql('SELECT 1')).rejects.toThrow();
});

it('fails with a message that says how to install PostgreSQL when the server programs are not found', async () => {
  await expect(startPostgresServer({ programDirs: ['/nonexistent'] })).rejects.toThrow(/found in none of \/nonexistent.*apt-get install -y postgresql/);
});
