/**
 * A push service of the tests' own (RFC 8030), on loopback over TLS with a self-signed
 * certificate made here: each push is checked as a real service checks it (a VAPID token
 * signed by the key the subscription was made for, `aud` = this origin, `exp` within
 * 24 hours, RFC 8292 §4.2) and decrypted with the browser's keys, then answered as the
 * path's script says (201 by default).
 */
import { createServer, type Server } from 'node:https';
import { Agent } from 'node:https';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { generate } from 'selfsigned';
import { decrypt, subscribe, verifyVapid, type BrowserSubscription, type VapidClaims } from './browser.js';

/** A push as it arrived. */
interface Push {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The verified token, or why it failed. */
  readonly vapid: VapidClaims | Error;
  /** The decrypted body, or why it did not decrypt. */
  readonly plaintext: string | Error;
}

export type Script = (response: ServerResponse, push: Push) => void;

export interface PushService {
  /** `https://127.0.0.1:<port>`. */
  readonly origin: string;
  /** An https agent that trusts the service's certificate (and only it). */
  readonly agent: Agent;
  readonly pushes: Push[];
  /**
   * A browser subscription at a new push resource, for the application server key
   * `applicationServerKey`; `script` answers its pushes.
   */
  subscribe(applicationServerKey: string, script?: Script): BrowserSubscription;
  close(): Promise<void>;
}

const attempt = <T>(work: () => T): T | Error => {
  try {
    return work();
  } catch (error) {
    return error as Error;
  }
};

export async function startPushService(): Promise<PushService> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const resources = new Map<string, { subscription: BrowserSubscription; serverKey: string; script: Script | undefined }>();
  const pushes: Push[] = [];
  const sockets = new Set<Socket>();
  let origin = '';
  let count = 0;
  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const resource = resources.get(path);
      const body = Buffer.concat(chunks);
      if (resource === undefined) return void response.writeHead(404).end('no such subscription');
      const push: Push = {
        path,
        headers: request.headers,
        body,
        vapid: attempt(() => verifyVapid(request.headers.authorization)),
        plaintext: attempt(() => decrypt(body, resource.subscription)),
      };
      pushes.push(push);
      // What a real service refuses before any script: a token it cannot trust.
      const { vapid } = push;
      if (vapid instanceof Error) return void response.writeHead(401).end(vapid.message);
      const nowSeconds = Date.now() / 1000;
      if (vapid.aud !== origin || !(vapid.exp > nowSeconds && vapid.exp <= nowSeconds + 24 * 3600)) return void response.writeHead(403).end('aud or exp');
      if (vapid.k !== resource.serverKey) return void response.writeHead(403).end('the VAPID key is not the one this subscription was made with');
      if (resource.script !== undefined) return resource.script(response, push);
      response.writeHead(201, { location: `${origin}/message/${pushes.length}` }).end();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new Agent({ ca: pems.cert, keepAlive: true });
  return {
    origin,
    agent,
    pushes,
    subscribe(serverKey, script) {
      count += 1;
      const path = `/push/${count}`;
      const subscription = subscribe(`${origin}${path}`);
      resources.set(path, { subscription, serverKey, script });
      return subscription;
    },
    async close() {
      agent.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
