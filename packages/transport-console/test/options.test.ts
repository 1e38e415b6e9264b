/**
 * The console transport's options are checked when given: an unknown one (`json: true`)
 * or a wrong value is a TypeError with code INVALID_OPTION naming it.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createConsoleTransport } from '@herald/transport-console';

function optionError(create: () => unknown): TypeError & { code?: string } {
  try {
    create();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return error as TypeError & { code?: string };
  }
  throw new Error('accepted');
}

describe('createConsoleTransport', () => {
  it.each([
    // Too far from any option for a guess: the message lists them instead.
    [{ json: true }, /unknown option json; the options are name, stream, format/],
    [{ formats: 'json' }, /unknown option formats \(did you mean format\?\)/],
    [{ fromat: 'json' }, /unknown option fromat \(did you mean format\?\)/],
    [{ out: process.stdout }, /unknown option out; the options are .*stream/],
    [{ streams: process.stdout }, /unknown option streams \(did you mean stream\?\)/],
    [{ nmae: 'log' }, /unknown option nmae \(did you mean name\?\)/],
    [{ format: 'xml' }, /format must be one of text, json, got "xml"/],
    [{ format: 'JSON' }, /format must be one of text, json, got "JSON"/],
    [{ stream: {} }, /stream must be a writable stream/],
    [{ stream: null }, /stream must be a writable stream/],
    [{ stream: { write: () => true } }, /stream must be a writable stream/],
    [{ name: '' }, /name must be a non-empty name/],
    [{ name: 42 }, /name must be a non-empty name/],
  ] as const)('refuses %o', (options, names) => {
    const error = optionError(() => createConsoleTransport(options as never));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toMatch(/^\[herald\] \[transport-console\] /);
    expect(error.message).toMatch(names);
  });

  it.each([null, [], 'json'])('refuses %j as its options', (options) => {
    expect(optionError(() => createConsoleTransport(options as never)).code).toBe('INVALID_OPTION');
  });

  it('accepts every option at a valid value, and no check of addresses (they are free text)', () => {
    const transport = createConsoleTransport({ name: 'log', stream: new PassThrough(), format: 'json' });
    expect(transport.name).toBe('log');
    expect(transport.checkEndpoint).toBeUndefined();
  });
});
