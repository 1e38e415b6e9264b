/**
 * The preferences' JSON Schemas and their merge patch: RFC 7396's own examples, the patch
 * check naming fields, and the schema agreeing with `checkPreferences` on shapes.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { applyPreferencesPatch, checkPreferences, checkPreferencesPatch, HeraldError, preferencesPatchSchema, preferencesSchema, type NotificationPreferences, type PreferencesPatch } from '@herald/core';

const merge = (target: unknown, patch: unknown): unknown => applyPreferencesPatch(target as NotificationPreferences, patch as PreferencesPatch);

describe('applyPreferencesPatch', () => {
  // RFC 7396, Appendix A, row by row.
  const examples: Array<[unknown, unknown, unknown]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(examples)('RFC 7396: %j patched with %j is %j', (target, patch, result) => {
    expect(merge(target, patch)).toEqual(result);
  });

  it('leaves what it was given unchanged, and keeps a rule keyed "__proto__" a key', () => {
    const stored = Object.freeze({ apps: Object.freeze({ 'mail.example': 'optOut' as const }) });
    const merged = merge(stored, JSON.parse('{"apps":{"__proto__":"optOut"}}')) as { apps: Record<string, unknown> };
    expect(stored).toEqual({ apps: { 'mail.example': 'optOut' } });
    expect(Object.keys(merged.apps)).toEqual(['mail.example', '__proto__']);
    expect(Object.getPrototypeOf(merged.apps)).toBe(Object.prototype);
  });
});

describe('checkPreferencesPatch', () => {
  const refused: Array<[string, unknown, string]> = [
    ['an array', [], ''],
    ['an unknown field', { aps: {} }, 'aps'],
    ['a default that is not a choice', { default: 'off' }, 'default'],
    ['rules that are not an object', { groups: ['digest'] }, 'groups'],
    ['a rule that is not a choice', { apps: { 'mail.example': true } }, 'apps["mail.example"]'],
    ['a platform that is not one', { platforms: { palm: 'optOut' } }, 'platforms'],
    ['a window without days', { quietHours: { windows: [{ start: '22:00', end: '07:00' }] } }, 'quietHours.windows[0].days'],
    ['a time that is not HH:MM', { quietHours: { windows: [{ days: ['monday'], start: '22:00', end: '7' }] } }, 'quietHours.windows[0].end'],
  ];
  it.each(refused)('refuses %s with INVALID_PREFERENCES naming %s', (_, value, field) => {
    let caught: unknown;
    try {
      checkPreferencesPatch(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HeraldError);
    expect((caught as HeraldError).code).toBe('INVALID_PREFERENCES');
    expect((caught as HeraldError).issues[0]?.field).toBe(field);
  });

  // A rule is named the same whichever check refuses it: the patch's (ajv, over HTTP PATCH) or checkPreferences.
  const badRules: Array<[string, Record<string, unknown>]> = [
    ['a platform', { platforms: { ios: 'maybe' } }],
    ['an app with dots', { apps: { 'mail.example': 'x' } }],
    ['a numeric key', { apps: { '123': 'no' } }],
    ['a key with a slash and a tilde', { groups: { 'a/b~c': 1 } }],
    ['a key with brackets and quotes', { transports: { 'x["y"]': 'on' } }],
    ['an object for a choice', { subscriptions: { 'sub-1': { optIn: true } } }],
  ];
  it.each(badRules)('names %s as checkPreferences does', (_, value) => {
    const fieldsOf = (check: (value: unknown) => unknown): string[] => {
      try {
        check(value);
      } catch (error) {
        return (error as HeraldError).issues.map((issue) => issue.field);
      }
      throw new Error('not refused');
    };
    const named = fieldsOf(checkPreferences);
    expect(named[0]).toMatch(/^\w+\[".*"\]$/s);
    expect(fieldsOf(checkPreferencesPatch)).toEqual(named);
  });

  it('takes nulls (removals) at every level and partial quiet hours', () => {
    const patch = { default: null, apps: { 'mail.example': null, 'chat.example': 'optIn' }, platforms: null, quietHours: { timeZone: 'Asia/Kolkata', windows: null } };
    expect(checkPreferencesPatch(patch)).toBe(patch);
  });
});

describe('preferencesSchema', () => {
  const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(preferencesSchema);
  const full: NotificationPreferences = {
    default: 'optOut',
    apps: { 'mail.example': 'optIn' },
    groups: { security: 'optIn' },
    platforms: { ios: 'optOut' },
    transports: { webhook: 'optIn' },
    subscriptions: { 'b3a9c2d4-0f6e-4c1a-9d2b-7e5f8a1c3d40': 'optOut' },
    quietHours: { timeZone: 'Europe/Berlin', windows: [{ days: ['monday'], start: '22:00', end: '07:00' }] },
  };

  it('takes what checkPreferences takes, and every such value is also a valid patch', () => {
    expect(checkPreferences(full)).toEqual(full);
    expect(validate(full)).toBe(true);
    expect(checkPreferencesPatch(full)).toBe(full);
    expect(validate({})).toBe(true);
  });

  it('refuses the shapes checkPreferences refuses', () => {
    const shapes: unknown[] = [{ aps: {} }, { default: 'off' }, { apps: 'optOut' }, { apps: { x: 'maybe' } }, { platforms: { palm: 'optOut' } }, { quietHours: { timeZone: 'UTC' } }, { quietHours: { timeZone: 'UTC', windows: [{ days: ['mon'], start: '22:00', end: '07:00' }] } }];
    for (const shape of shapes) {
      expect(() => checkPreferences(shape), JSON.stringify(shape)).toThrow(HeraldError);
      expect(validate(shape), JSON.stringify(shape)).toBe(false);
    }
  });

  it('names every field of the preferences in both schemas', () => {
    expect(Object.keys(preferencesSchema.properties).sort()).toEqual(Object.keys(preferencesPatchSchema.properties).sort());
    expect(Object.keys(preferencesSchema.properties).sort()).toEqual(Object.keys(full).sort());
  });
});
