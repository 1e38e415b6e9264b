import { afterAll, describe, expect, it } from 'vitest';
import { createNotificationService, maxWatchPollIntervalMs } from '@herald/core';
import { createHttpHandler, developmentAuthenticator, heraldFastifyPlugin, type HttpHandlerOptions } from '@herald/http';
import { createMemoryStore } from '@herald/store-memory';

const service = createNotificationService({ store: createMemoryStore(), dispatcher: { autoStart: false } });
afterAll(async () => {
  await service.close();
});

function thrownBy(make: () => unknown): Error & { code?: string } {
  let error: unknown;
  try {
    make();
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(TypeError);
  return error as Error & { code?: string };
}

describe('options of createHttpHandler', () => {
  it.each([
    { name: 'a misspelt option', options: { authenticate: developmentAuthenticator, bodyTimeout: 5 }, says: ['bodyTimeout', 'did you mean bodyTimeoutMs?'] },
    { name: 'a case slip', options: { authenticate: developmentAuthenticator, basepath: '/graph' }, says: ['basepath', 'did you mean basePath?'] },
    { name: 'an option of another library', options: { authenticate: developmentAuthenticator, cors: true }, says: ['unknown option cors', 'authenticate, basePath'] },
    { name: 'onError not a function', options: { authenticate: developmentAuthenticator, onError: 'log' }, says: ['onError must be a function'] },
    { name: 'a baseUrl that is not a string', options: { authenticate: developmentAuthenticator, baseUrl: 5 }, says: ['baseUrl must be an absolute http(s) URL'] },
    { name: 'a baseUrl that is not a URL', options: { authenticate: developmentAuthenticator, baseUrl: 'not a url' }, says: ['baseUrl must be an absolute http(s) URL'] },
    { name: 'a baseUrl with a query', options: { authenticate: developmentAuthenticator, baseUrl: 'https://api.example.com/graph?x=1' }, says: ['without a query'] },
    { name: 'a body limit of 0', options: { authenticate: developmentAuthenticator, maxBodyBytes: 0 }, says: ['maxBodyBytes must be a positive whole number'] },
  ])('refuses $name at once', ({ options, says }) => {
    for (const make of [() => createHttpHandler(service, options as unknown as HttpHandlerOptions), () => heraldFastifyPlugin(service, options as unknown as HttpHandlerOptions)]) {
      const error = thrownBy(make);
      expect(error.code).toBe('INVALID_OPTION');
      for (const words of says) expect(error.message).toContain(words);
    }
  });

  // A Node timer longer than 2^31-1 ms fires after 1 ms: a heartbeat every millisecond, every
  // reader cut at once; a poll interval feed.watch refuses would be each client's 400.
  it.each([
    { option: 'heartbeatMs', value: 2 ** 31, says: 'stream.heartbeatMs must be at most 2147483647 ms' },
    { option: 'stallTimeoutMs', value: 2 ** 31, says: 'stream.stallTimeoutMs must be at most 2147483647 ms' },
    { option: 'stallTimeoutMs', value: Number.MAX_SAFE_INTEGER, says: 'stream.stallTimeoutMs must be at most' },
    { option: 'pollIntervalMs', value: maxWatchPollIntervalMs + 1, says: `stream.pollIntervalMs must be at most ${maxWatchPollIntervalMs} ms` },
    { option: 'heartbeatMs', value: 0, says: 'stream.heartbeatMs must be a positive whole number' },
    { option: 'pollIntervalMs', value: 1.5, says: 'stream.pollIntervalMs must be a positive whole number' },
    { option: 'stallTimeoutMs', value: '30000', says: 'stream.stallTimeoutMs must be a positive whole number' },
  ])('refuses stream.$option $value at once', ({ option, value, says }) => {
    const error = thrownBy(() => createHttpHandler(service, { authenticate: developmentAuthenticator, stream: { [option]: value } } as unknown as HttpHandlerOptions));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toContain(says);
  });

  it.each([
    { heartbeatMs: 2 ** 31 - 1, stallTimeoutMs: 2 ** 31 - 1, pollIntervalMs: maxWatchPollIntervalMs },
    { heartbeatMs: 1, stallTimeoutMs: 1, pollIntervalMs: 1 },
  ])('takes the stream bounds $heartbeatMs, $pollIntervalMs', (stream) => {
    expect(() => createHttpHandler(service, { authenticate: developmentAuthenticator, stream })).not.toThrow();
  });

  it.each([
    { name: 'with a query', basePath: '/a?b' },
    { name: 'with a fragment', basePath: '/a#b' },
    { name: 'not a string', basePath: 7 },
    { name: 'relative', basePath: 'graph' },
  ])('refuses a basePath $name', ({ basePath }) => {
    const error = thrownBy(() => createHttpHandler(service, { authenticate: developmentAuthenticator, basePath } as unknown as HttpHandlerOptions));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toContain('basePath must be a path');
  });

  it('refuses basePath for the Fastify plugin, whose prefix sets it', () => {
    const error = thrownBy(() => heraldFastifyPlugin(service, { authenticate: developmentAuthenticator, basePath: '/graph' } as unknown as HttpHandlerOptions));
    expect(error.message).toContain('register it with { prefix }');
  });
});
