/**
 * A minimal Server-Sent Events reader on node:http: calls `onEvent` with each event's
 * type and data as soon as its blank line arrives.
 */
import { request } from 'node:http';

/** Opens `url` (loopback) and resolves once the answer's headers came; `close()` ends it. */
export function readEvents(url: string, headers: Record<string, string>, onEvent: (event: string, data: string) => void): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`the stream answered ${response.statusCode}`));
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) onEvent(event, data.join('\n'));
        }
      });
      resolve({ close: () => outgoing.destroy() });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
