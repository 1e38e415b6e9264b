/**
 * Hostile bodies over real loopback sockets: slow bodies started at different times
 * against one handler's deadlines, bodies cut off mid-way, malformed UTF-8 of every kind
 * (overlong forms, surrogates encoded as UTF-8, truncated sequences), BOMs alone or in
 * the middle, and a connection kept alive after a refused body.
 */
import { Socket, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceBody, startApi, type Api } from './support.js';

const timeoutMs = 1000;
let api: Api;
let unsId: string;
beforeAll(async () => {
  api = await startApi({ bodyTimeoutMs: timeoutMs, maxBodyBytes: 8192 });
  unsId = await api.subscribe('alice');
});
afterAll(async () => {
  await api.close();
});

let sent = 0;
const reference = (): Buffer => Buffer.from(JSON.stringify(referenceBody({ appNotificationId: `attack-${(sent += 1)}` })));

function head(length: number | undefined, extra = ''): string {
  const framing = length === undefined ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${length}\r\n`;
  return `POST /me/notifications HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer app-server\r\nX-UNS-ID: ${unsId}\r\nContent-Type: application/json\r\n${framing}${extra}\r\n`;
}

/** A raw socket that collects everything the server writes. */
function open(): { socket: Socket; received: () => string; closed: Promise<void> } {
  const socket = connect(api.port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  return { socket, received: () => text, closed };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function statusesOf(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]));
}

async function postBytes(body: Buffer): Promise<{ status: number; code: string | undefined }> {
  const answer = await api.call('POST', '/me/notifications', { headers: { authorization: 'Bearer app-server', 'x-uns-id': unsId }, body });
  const code = answer.status >= 400 ? ((answer.json()['error'] as Record<string, unknown>)['code'] as string) : undefined;
  return { status: answer.status, code };
}

describe('malformed UTF-8 is refused, well-formed is kept', () => {
  const inString = (bytes: number[]): Buffer => {
    const body = reference().toString('utf8').replace('"title":"', '"title":"@@');
    const [before, after] = body.split('@@') as [string, string];
    return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
  };
  it.each([
    ['an overlong slash (C0 AF)', [0xc0, 0xaf]],
    ['an overlong NUL (C0 80)', [0xc0, 0x80]],
    ['a three-byte overlong (E0 80 AF)', [0xe0, 0x80, 0xaf]],
    ['a four-byte overlong (F0 80 80 AF)', [0xf0, 0x80, 0x80, 0xaf]],
    ['a high surrogate as UTF-8 (ED A0 80)', [0xed, 0xa0, 0x80]],
    ['a low surrogate as UTF-8 (ED B0 80)', [0xed, 0xb0, 0x80]],
    ['a surrogate pair as two UTF-8 sequences (CESU-8)', [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]],
    ['a code point past U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
    ['a truncated three-byte sequence (E2 82)', [0xe2, 0x82]],
    ['a lone continuation byte (80)', [0x80]],
    ['F5 and above', [0xf5, 0x80, 0x80, 0x80]],
  ])('%s: 400 MALFORMED_JSON', async (_name, bytes) => {
    expect(await postBytes(inString(bytes))).toEqual({ status: 400, code: 'MALFORMED_JSON' });
  });

  it('a truncated sequence at the very end of the body: 400', async () => {
    expect(await postBytes(Buffer.concat([reference(), Buffer.from([0xe2, 0x82])]))).toEqual({ status: 400, code: 'MALFORMED_JSON' });
  });

  it('a BOM alone: 400 (empty)', async () => {
    expect(await postBytes(Buffer.from([0xef, 0xbb, 0xbf]))).toEqual({ status: 400, code: 'MALFORMED_JSON' });
  });

  it('two BOMs: 400', async () => {
    expect(await postBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), reference()]))).toEqual({ status: 400, code: 'MALFORMED_JSON' });
  });

  it('a BOM between tokens: 400', async () => {
    const body = reference().toString('utf8').replace('{', '{\ufeff');
    expect(await postBytes(Buffer.from(body))).toEqual({ status: 400, code: 'MALFORMED_JSON' });
  });

  it('U+FEFF inside a string is text, kept as sent', async () => {
    const body = JSON.parse(reference().toString('utf8')) as Record<string, Record<string, Record<string, string>>>;
    body['payload']!['visualContent']!['title'] = '\ufeffhi \u{1f600}';
    const answer = await api.call('POST', '/me/notifications', { headers: { authorization: 'Bearer app-server', 'x-uns-id': unsId }, body: JSON.stringify(body), trickle: { pieces: 97, pauseMs: 1 } });
    expect(answer.status).toBe(201);
    const stored = answer.json() as { payload: { visualContent: { title: string } } };
    expect(stored.payload.visualContent.title).toBe('\ufeffhi \u{1f600}');
  });
});

describe('slow bodies', () => {
  it('each slow body, started at its own time, expires at its own deadline; quick ones in between pass', async () => {
    const starts = [0, 150, 300, 450];
    const runs = starts.map(async (delay, index) => {
      await sleep(delay);
      const { socket, received, closed } = open();
      const body = reference();
      const began = performance.now();
      socket.write(head(body.length));
      // Even ones trickle a byte every 50 ms (never finish in time); odd ones finish at half the timeout.
      if (index % 2 === 0) {
        let offset = 0;
        const timer = setInterval(() => {
          if (offset < body.length && !socket.destroyed) socket.write(body.subarray(offset, (offset += 1)));
        }, 50);
        await Promise.race([closed, sleep(timeoutMs * 4)]);
        clearInterval(timer);
        socket.destroy();
        return { index, statuses: statusesOf(received()), ms: performance.now() - began };
      }
      await sleep(timeoutMs / 5);
      socket.write(body);
      await sleep(timeoutMs);
      socket.destroy();
      return { index, statuses: statusesOf(received()), ms: performance.now() - began };
    });
    const results = await Promise.all(runs);
    for (const result of results) {
      if (result.index % 2 === 0) {
        expect(result.statuses).toEqual([408]);
        expect(result.ms).toBeGreaterThanOrEqual(timeoutMs - 5);
      } else {
        expect(result.statuses).toEqual([201]);
      }
    }
  });

  it('a body cut off mid-way leaves the handler serving others', async () => {
    for (let n = 0; n < 20; n += 1) {
      const { socket } = open();
      const body = reference();
      socket.write(head(body.length));
      socket.write(body.subarray(0, 10));
      await sleep(2);
      socket.destroy();
    }
    expect((await postBytes(reference())).status).toBe(201);
  });

  it('a chunked body a byte at a time expires at its deadline', async () => {
    const { socket, received, closed } = open();
    socket.write(head(undefined));
    const body = reference();
    socket.write(`${body.length.toString(16)}\r\n`);
    let offset = 0;
    const timer = setInterval(() => {
      if (offset < body.length && !socket.destroyed) socket.write(body.subarray(offset, (offset += 1)));
    }, 40);
    await Promise.race([closed, sleep(timeoutMs * 4)]);
    clearInterval(timer);
    socket.destroy();
    expect(statusesOf(received())).toEqual([408]);
  });
});

describe('keep-alive after a refused body', () => {
  it.each([
    ['invalid UTF-8', Buffer.from([0x7b, 0xc0, 0xaf, 0x7d])],
    ['not JSON', Buffer.from('{"a":')],
    ['an array', Buffer.from('[]')],
  ])('%s, then a good request on the same connection', async (_name, bad) => {
    const { socket, received, closed } = open();
    const good = reference();
    socket.write(head(bad.length) + bad.toString('latin1'), 'latin1');
    socket.write(Buffer.concat([Buffer.from(head(good.length)), good]));
    let done = false;
    void closed.then(() => (done = true));
    for (const started = performance.now(); !done && statusesOf(received()).length < 2 && performance.now() - started < 5000; ) await sleep(10);
    socket.destroy();
    // The refused body was read whole: the connection carries on.
    expect(statusesOf(received())).toEqual([400, 201]);
  });
});
