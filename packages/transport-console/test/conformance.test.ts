import { PassThrough } from 'node:stream';
import { runTransportConformance, sampleEndpoint } from '@herald/testing';
import { createConsoleTransport } from '@herald/transport-console';

// Each transport writes JSON lines to a stream of its own; `received` reads them back.
let lines: string[] = [];

runTransportConformance({
  name: 'console',
  createTransport: () => {
    lines = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== '')));
    return createConsoleTransport({ stream, format: 'json' });
  },
  endpoint: () => sampleEndpoint(),
  received: () => lines.map((line) => JSON.parse(line) as { deliveryId: string }),
});
