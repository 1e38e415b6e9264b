/**
 * PostgreSQL shut down under a service with no logger: the dispatcher's polls fail once a
 * second for as long as it is down, and the process warnings fold their repeats — a few
 * lines over seventy failing polls, each failure once with its stack, then counted, then
 * ended once the server is back. A real server, stopped and started; the service's time
 * on the test kit's fake clock, so a minute of polls takes no minute.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestService, sampleApp, sampleRequest } from '@herald/testing';
import { createPostgresStore } from '../src/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
});
afterAll(async () => {
  await server?.stop();
});

/** How many dispatcher polls the outage lasts: past the one-minute window. */
const pollsWhileDown = 70;

it(`prints a few warnings, not ${pollsWhileDown}, while PostgreSQL is down, and says each failure is over once it is back`, async () => {
  const dispatcherLines: string[] = [];
  const hear = (warning: Error & { code?: string }): void => {
    if (warning.code === 'HERALD_BACKGROUND_ERROR' && warning.message.startsWith('[herald] dispatcher failed')) dispatcherLines.push(warning.message);
  };
  process.on('warning', hear);
  const store = await createPostgresStore({ connectionString: server.connectionString, schema: 'outage_warnings', migrate: true, connectTimeoutMs: 1000, statementTimeoutMs: 1000 });
  const kit = await createTestService({ store, service: { dispatcher: { pollIntervalMs: 1000, errorBackoffMs: 1000 } } });
  try {
    await kit.subscribe('alice', 'windows', { targetHostName: sampleApp });
    // Due in the middle of the outage: delivered once PostgreSQL is back.
    await kit.service.send(sampleRequest({}, kit.clock.now()), { userId: 'alice' }, { sendAt: kit.clock.now() + 30_000 });
    await server.shutdown();
    for (let poll = 0; poll < pollsWhileDown; poll += 1) await kit.advance('1s');
    await new Promise((resolve) => setImmediate(resolve));
    const withStack = dispatcherLines.filter((line) => /\n\s+at /.test(line));
    const counted = dispatcherLines.filter((line) => / — \d+ more times since /.test(line)).map((line) => Number(/ — (\d+) more times/.exec(line)?.[1]));
    // However the driver words its failures (refused, terminated, timed out), each is one line, then counted.
    expect(withStack.length, dispatcherLines.join('\n---\n')).toBeGreaterThanOrEqual(1);
    expect(withStack.length + counted.length, `${dispatcherLines.length} warnings over ${pollsWhileDown} failing polls`).toBeLessThanOrEqual(8);
    expect(Math.max(...counted), 'a failure that went on past the window is counted, not printed').toBeGreaterThanOrEqual(30);

    await server.restart();
    for (let poll = 0; poll < 100 && kit.transport.deliveries.length === 0; poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100)); // the pool connects in real time
      await kit.advance('1s');
    }
    expect(kit.transport.deliveries, 'the delivery due during the outage went out once PostgreSQL was back').toHaveLength(1);
    const before = dispatcherLines.length;
    await kit.advance('3m');
    await new Promise((resolve) => setImmediate(resolve));
    const ends = dispatcherLines.slice(before);
    expect(ends.length, 'an end line for a failure that repeated').toBeGreaterThanOrEqual(1);
    for (const end of ends) expect(end).toMatch(/ — over: ((\d+ more times|once more) since \S+, )?the last at \S+, then none for 120 s$/);
  } finally {
    process.off('warning', hear);
    await kit.close();
  }
}, 120_000);
