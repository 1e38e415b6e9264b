/**
 * The inbox example's page (examples/inbox/public) at `/inbox/`: plain files, read on
 * each request so an edit shows on reload. Only names of the form `name.html|css|js|svg` in
 * that one directory are served, so no path can reach another file.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the inbox's files are, beside this example in the repository. */
export const inboxDirectory = fileURLToPath(new URL('../../inbox/public/', import.meta.url));

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// The page loads only its own files and talks only to this server.
const contentSecurityPolicy = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

function answer(response: ServerResponse, status: number, headers: Record<string, string>, body = ''): void {
  response.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers }).end(body);
}

/**
 * Answers a request for `/inbox` or below and returns true; returns false for any other
 * path, which is the API's.
 */
export async function serveInboxPage(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
  const { pathname } = new URL(request.url ?? '/', 'http://placeholder');
  if (pathname !== '/inbox' && !pathname.startsWith('/inbox/')) return false;
  const text = { 'content-type': 'text/plain; charset=utf-8' };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    answer(response, 405, { ...text, allow: 'GET, HEAD' }, 'The inbox page answers GET and HEAD.\n');
    return true;
  }
  // Relative URLs in the page resolve against the directory, so the page lives at /inbox/.
  if (pathname === '/inbox') {
    answer(response, 308, { location: '/inbox/' });
    return true;
  }
  const name = pathname === '/inbox/' ? 'index.html' : pathname.slice('/inbox/'.length);
  const type = /^[a-z][a-z-]*\.[a-z]+$/.test(name) ? contentTypes[extname(name)] : undefined;
  let body: Buffer | undefined;
  try {
    body = type === undefined ? undefined : await readFile(`${inboxDirectory}${name}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (type === undefined || body === undefined) {
    answer(response, 404, text, `The inbox has no file ${JSON.stringify(name)}.\n`);
    return true;
  }
  response.writeHead(200, {
    'content-type': type,
    'content-length': String(body.length),
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': contentSecurityPolicy,
  });
  response.end(request.method === 'HEAD' ? undefined : body);
  return true;
}
