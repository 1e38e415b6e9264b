/**
 * A body is read the same whether it came whole with its headers (one chunk, used as it
 * is) or in pieces over time (several, joined): every kind of body gets the same answer
 * both ways, a connection kept alive serves the next request, and every spelling of a
 * JSON Content-Type is accepted whether or not it is the common one.
 */
import { Agent, request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceBody, startApi, type Api, type Answer } from './support.js';

let api: Api;
let unsId: string;
beforeAll(async () => {
  api = await startApi({ maxBodyBytes: 4096 });
  unsId = await api.subscribe('alice');
});
afterAll(async () => {
  await api.close();
});

let sent = 0;
const reference = (): string => JSON.stringify(referenceBody({ appNotificationId: `arrival-${(sent += 1)}` }));

interface Row {
  readonly name: string;
  readonly body: () => string | Buffer;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly code?: string;
}

const rows: readonly Row[] = [
  { name: 'the reference request', body: reference, status: 201 },
  { name: 'the reference request, chunked (no Content-Length)', body: reference, headers: { 'transfer-encoding': 'chunked' }, status: 201 },
  { name: 'the reference request, gzip', body: () => gzipSync(reference()), headers: { 'content-encoding': 'gzip' }, status: 201 },
  { name: 'a UTF-8 BOM before the JSON', body: () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(reference())]), status: 201 },
  { name: 'an empty body', body: () => '', status: 400, code: 'MALFORMED_JSON' },
  { name: 'bytes that are not UTF-8', body: () => Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), status: 400, code: 'MALFORMED_JSON' },
  { name: 'text that is not JSON', body: () => '{"targetHostName":', status: 400, code: 'MALFORMED_JSON' },
  { name: 'an array', body: () => `[${reference()}]`, status: 400 },
  { name: 'a body over maxBodyBytes, chunked', body: () => JSON.stringify({ ...referenceBody(), padding: 'x'.repeat(5000) }), headers: { 'transfer-encoding': 'chunked' }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
];

async function expectAnswer(answer: Answer, row: Row): Promise<void> {
  expect(answer.status).toBe(row.status);
  if (row.code !== undefined) expect((answer.json()['error'] as Record<string, unknown>)['code']).toBe(row.code);
}

describe('a body that came whole and one that came in pieces get the same answer', () => {
  it.each(rows)('$name', async (row) => {
    const headers = { authorization: 'Bearer app-server', 'x-uns-id': unsId, ...row.headers };
    await expectAnswer(await api.call('POST', '/me/notifications', { headers, body: row.body() }), row);
    await expectAnswer(await api.call('POST', '/me/notifications', { headers, body: row.body(), trickle: { pieces: 3, pauseMs: 20 } }), row);
  });
});

describe('Content-Type', () => {
  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON; Charset="UTF-8"', 'application/json;charset=utf8', ' application/json '])('accepts %j', async (type) => {
    const answer = await api.call('POST', '/me/notifications', { headers: { authorization: 'Bearer app-server', 'x-uns-id': unsId, 'content-type': type }, body: reference() });
    expect(answer.status).toBe(201);
  });

  it.each(['application/json; charset=utf-16', 'application/jsonp', 'application/json-patch+json', 'text/json'])('refuses %j with 415', async (type) => {
    const answer = await api.call('POST', '/me/notifications', { headers: { authorization: 'Bearer app-server', 'x-uns-id': unsId, 'content-type': type }, body: reference() });
    expect(answer.status).toBe(415);
  });
});

describe('keep-alive', () => {
  it('serves requests one after another on one connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const post = (): Promise<{ status: number; reused: boolean }> =>
        new Promise((resolve, reject) => {
          const body = reference();
          const request = httpRequest(
            { host: '127.0.0.1', port: api.port, method: 'POST', path: '/me/notifications', agent, headers: { authorization: 'Bearer app-server', 'x-uns-id': unsId, 'content-type': 'application/json' } },
            (response) => {
              response.resume();
              response.on('end', () => resolve({ status: response.statusCode ?? 0, reused: request.reusedSocket }));
            },
          );
          request.on('error', reject);
          request.end(body);
        });
      const answers = [];
      for (let i = 0; i < 5; i += 1) answers.push(await post());
      expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201]);
      expect(answers.slice(1).every((answer) => answer.reused)).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});
