import { PassThrough } from 'node:stream';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLoopbackOnly } from '@herald/testing';
import { inboxDirectory } from '../src/inbox-page.js';
import { startQuickstartServer, type QuickstartServer } from '../src/server.js';

useLoopbackOnly();

let server: QuickstartServer;
beforeAll(async () => {
  server = await startQuickstartServer({ port: 0, store: 'memory', output: new PassThrough() });
});
afterAll(async () => {
  await server.close();
});

/** A request with its path sent as written (fetch would normalise `..`). */
function raw(method: string, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${server.url}${path}`, { method }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe("the quickstart server's inbox page", () => {
  it('serves the page and its files at /inbox/, with their types, no-cache and a same-origin content security policy', async () => {
    for (const [path, file, type] of [
      ['/inbox/', 'index.html', 'text/html; charset=utf-8'],
      ['/inbox/inbox.css', 'inbox.css', 'text/css; charset=utf-8'],
      ['/inbox/inbox.js', 'inbox.js', 'text/javascript; charset=utf-8'],
      ['/inbox/service-worker.js', 'service-worker.js', 'text/javascript; charset=utf-8'],
      ['/inbox/favicon.svg', 'favicon.svg', 'image/svg+xml'],
    ] as const) {
      const answer = await raw('GET', path);
      expect(answer.status, path).toBe(200);
      expect(answer.headers['content-type'], path).toBe(type);
      expect(answer.headers['cache-control'], path).toBe('no-cache');
      expect(answer.headers['x-content-type-options'], path).toBe('nosniff');
      expect(answer.headers['content-security-policy'], path).toContain("default-src 'self'");
      expect(answer.body, path).toBe(await readFile(`${inboxDirectory}${file}`, 'utf8'));
    }
    const head = await raw('HEAD', '/inbox/inbox.js');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBe((await readFile(`${inboxDirectory}inbox.js`)).length);
  });

  it('sends /inbox to /inbox/, where the page resolves its files', async () => {
    const answer = await raw('GET', '/inbox');
    expect(answer.status).toBe(308);
    expect(answer.headers['location']).toBe('/inbox/');
  });

  it('serves no other file, whatever the path', async () => {
    // [path, status]
    const cases: Array<[string, number]> = [
      ['/inbox/../package.json', 404],
      ['/inbox/%2e%2e/package.json', 404],
      ['/inbox/..%2fpackage.json', 404],
      ['/inbox/missing.js', 404],
      ['/inbox/README.md', 404],
      ['/inbox/public/index.html', 404],
      ['/inbox/.hidden.js', 404],
      ['/inbox/index.HTML', 404],
    ];
    for (const [path, status] of cases) {
      const answer = await raw('GET', path);
      // `/inbox/../x` is normalised by the URL parser to `/x`: the API's 404 then.
      expect(answer.status, path).toBe(status);
      expect(answer.body, path).not.toContain('"name"');
    }
  });

  it('answers only GET and HEAD there, and leaves every other path to the API', async () => {
    const post = await raw('POST', '/inbox/');
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
    const api = await raw('GET', '/openapi.json');
    expect(api.status).toBe(200);
    expect(JSON.parse(api.body)).toHaveProperty('openapi');
    expect((await raw('GET', '/inboxes')).headers['content-type']).toContain('application/json');
  });
});
