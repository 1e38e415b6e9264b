/** The handler's `logger` option: failures that are not the caller's are logged with their code and request id. */
import { describe, expect, it } from 'vitest';
import type { LogFields, Logger } from '@herald/core';
import { createHttpHandler, developmentAuthenticator } from '@herald/http';
import { startApi } from './support.js';
import { useLoopbackOnly } from '@herald/testing';

useLoopbackOnly();

interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: LogFields;
  readonly message: string;
}

/** A logger that keeps what it is given, child bindings merged in, as pino does. */
function recordingLogger(records: LogRecord[], bindings: LogFields = {}): Logger {
  const at = (level: LogRecord['level']) => (fields: LogFields, message: string) => void records.push({ level, fields: { ...bindings, ...fields }, message });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (more) => recordingLogger(records, { ...bindings, ...more }) };
}

describe('the HTTP handler with a logger', () => {
  it('logs an unexpected failure as an error with code, request id, method and path, and still tells onError', async () => {
    const records: LogRecord[] = [];
    const told: unknown[] = [];
    const api = await startApi({ authenticate: () => ({ id: 'alice' }), logger: recordingLogger(records), onError: (error) => void told.push(error) });
    (api.service.feed as { list: unknown }).list = async () => {
      throw new Error('secret internals');
    };
    const answer = await api.call('GET', '/me/notifications?$top=5');
    expect(answer.status).toBe(500);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      level: 'error',
      fields: { component: 'http', code: 'INTERNAL', requestId: answer.headers['request-id'], method: 'GET', path: '/me/notifications' },
      message: 'GET /me/notifications failed: secret internals',
    });
    expect((records[0]?.fields['err'] as Error).message).toBe('secret internals');
    expect(told).toHaveLength(1);
    await api.close();
  });

  it('logs nothing for the caller\'s own mistakes (4xx)', async () => {
    const records: LogRecord[] = [];
    const api = await startApi({ logger: recordingLogger(records) });
    expect((await api.call('GET', '/me/notifications')).status).toBe(401);
    expect((await api.call('GET', '/nowhere', { headers: { authorization: 'Bearer alice' } })).status).toBe(404);
    expect(records).toEqual([]);
    await api.close();
  });

  it('refuses a logger lacking a method at creation', async () => {
    const api = await startApi();
    expect(() => createHttpHandler(api.service, { authenticate: developmentAuthenticator, logger: { info() {} } as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining('options.logger must be a logger with debug, info, warn, error and child methods, such as a pino logger; it lacks debug, warn, error, child') }),
    );
    await api.close();
  });
});
