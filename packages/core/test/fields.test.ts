import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { notificationSchema, priorities, validateNotification, type NotificationContent } from '@herald/core';
import {
  asIsCopiers,
  contentFieldNames,
  contentFields,
  copyFields,
  optionalContentFields,
  pickContent,
  presentFields,
  readFields,
  requiredContentFields,
  writeFields,
  type ContentFieldTable,
  type FieldReaders,
  type FieldWriters,
} from '@herald/core/store';

const now = Date.parse('2026-01-01T00:00:00.000Z');

/** A content with every field set, values unlike each other. */
const full: NotificationContent = {
  targetHostName: 'app.example',
  appNotificationId: 'n-1',
  payload: { visualContent: { title: 'T', body: 'B' }, rawContent: '{"a":1}' },
  expirationDateTime: '2026-01-03T00:00:00.000Z',
  targetPolicy: { platformTypes: ['windows', 'ios'] },
  priority: 'Low',
  groupName: 'g',
  displayTimeToLive: 60,
  fallbackPolicy: { endpointFallback: { platformTypes: ['ios'], fallbackDelayInSeconds: 90 } },
};

/** A codec that writes into an array, tagging each value with its kind. */
type Tape = { items: [string, unknown][]; at: number };
const kinds = ['text', 'date-time', 'enum', 'number', 'payload', 'target-policy', 'fallback-policy'] as const;
const writers = Object.fromEntries(kinds.map((kind) => [kind, (out: Tape, value: unknown) => out.items.push([kind, value])])) as unknown as FieldWriters<Tape>;
const readers = Object.fromEntries(
  kinds.map((kind) => [
    kind,
    (input: Tape) => {
      const item = input.items[input.at++];
      if (item?.[0] !== kind) throw new Error(`expected a ${kind} at ${input.at - 1}, found ${String(item?.[0])}`);
      return item[1];
    },
  ]),
) as unknown as FieldReaders<Tape>;

describe("the contract's field table", () => {
  it('lists the fields in the order stored formats depend on: new fields go at the end', () => {
    // The file store's snapshot numbers optional fields by this order, and the Redis store
    // writes JSON keys in it: reordering would misread every snapshot on disk.
    const existing = ['targetHostName', 'appNotificationId', 'payload', 'expirationDateTime', 'targetPolicy', 'priority', 'groupName', 'displayTimeToLive', 'fallbackPolicy'];
    expect(contentFieldNames.slice(0, existing.length), 'the fields stored today keep their places; new ones follow').toEqual(existing);
    expect(requiredContentFields).toEqual(['targetHostName', 'appNotificationId', 'payload', 'expirationDateTime']);
    expect(optionalContentFields.slice(0, 5)).toEqual(['targetPolicy', 'priority', 'groupName', 'displayTimeToLive', 'fallbackPolicy']);
    expect([...requiredContentFields, ...optionalContentFields], 'required fields first, then optional ones').toEqual(contentFieldNames);
  });

  it('has a field for every property of the schema, required as the schema says (expirationDateTime is filled in)', () => {
    expect(Object.keys(notificationSchema.properties).sort()).toEqual([...contentFieldNames].sort());
    const required = new Set<string>([...notificationSchema.required, 'expirationDateTime']);
    for (const name of contentFieldNames) expect(contentFields[name].optional, name).toBe(!required.has(name));
  });

  it("agrees with the schema on each field's kind", () => {
    const properties: Record<string, Record<string, unknown>> = notificationSchema.properties;
    for (const name of contentFieldNames) {
      const spec = contentFields[name];
      const schema = properties[name] ?? {};
      if (spec.kind === 'text') expect(schema['type'], name).toBe('string');
      if (spec.kind === 'date-time') expect(schema['format'], name).toBe('date-time');
      if (spec.kind === 'enum') expect(schema['enum'], name).toEqual([...spec.values]);
      if (spec.kind === 'number') expect(JSON.stringify(schema), name).toContain('"integer"');
      if (spec.kind === 'payload' || spec.kind === 'target-policy' || spec.kind === 'fallback-policy') expect(schema['type'], name).toBe('object');
    }
    expect(contentFields.priority.values).toBe(priorities);
  });

  it('is checked by the compiler: a missing, extra or mistyped field does not compile', () => {
    const { fallbackPolicy: _dropped, ...withoutOne } = contentFields;
    // @ts-expect-error -- a field of the content without a spec
    const missing: ContentFieldTable = withoutOne;
    // @ts-expect-error -- a spec for a field the content does not have
    const extra: ContentFieldTable = { ...contentFields, notAContractField: { kind: 'text', optional: true } } satisfies ContentFieldTable;
    // @ts-expect-error -- a kind that cannot hold the field's type
    const wrongKind: ContentFieldTable = { ...contentFields, groupName: { kind: 'number', optional: true } };
    // @ts-expect-error -- an optional field marked required
    const wrongOptional: ContentFieldTable = { ...contentFields, groupName: { kind: 'text', optional: false } };
    // @ts-expect-error -- an enum value the field's type does not allow
    const wrongValue: ContentFieldTable = { ...contentFields, priority: { kind: 'enum', optional: true, values: ['Urgent'] } };
    expect([missing, extra, wrongKind, wrongOptional, wrongValue]).toHaveLength(5);
  });
});

describe('the helpers that walk the table', () => {
  it('pickContent keeps the contract fields only, none undefined, in table order', () => {
    const record = { id: 'x', userId: 'u', sequence: 3, ...full, groupName: undefined };
    const picked = pickContent(record);
    const { groupName: _absent, ...expected } = full;
    expect(picked).toEqual(expected);
    expect(Object.keys(picked)).toEqual(contentFieldNames.filter((name) => name !== 'groupName' && name in full));
    expect(JSON.stringify(pickContent(full)), 'the JSON the Redis store writes: keys in table order').toBe(
      '{"targetHostName":"app.example","appNotificationId":"n-1","payload":{"visualContent":{"title":"T","body":"B"},"rawContent":"{\\"a\\":1}"},"expirationDateTime":"2026-01-03T00:00:00.000Z","targetPolicy":{"platformTypes":["windows","ios"]},"priority":"Low","groupName":"g","displayTimeToLive":60,"fallbackPolicy":{"endpointFallback":{"platformTypes":["ios"],"fallbackDelayInSeconds":90}}}',
    );
  });

  it('copyFields calls the copier of each present field’s kind, with its spec', () => {
    const seen: string[] = [];
    const tracing = Object.fromEntries(
      kinds.map((kind) => [kind, (value: unknown, spec: { kind: string }) => (seen.push(`${spec.kind}`), value)]),
    ) as unknown as typeof asIsCopiers;
    const into: Partial<NotificationContent> = {};
    copyFields({ ...full, priority: undefined }, optionalContentFields, tracing, into);
    expect(seen).toEqual(['target-policy', 'text', 'number', 'fallback-policy']);
    expect(Object.keys(into)).toEqual(['targetPolicy', 'groupName', 'displayTimeToLive', 'fallbackPolicy']);
  });

  it('presentFields numbers the present optional fields by their place in the table', () => {
    expect(presentFields(full, optionalContentFields)).toBe(0b11111);
    expect(presentFields({ priority: 'High', displayTimeToLive: 0 }, optionalContentFields)).toBe(0b01010);
    expect(presentFields({ groupName: undefined }, optionalContentFields)).toBe(0);
  });

  it('writeFields and readFields round-trip any set of optional fields through a codec of the kinds', () => {
    fc.assert(
      fc.property(fc.subarray([...optionalContentFields]), (names) => {
        const content = pickContent({ ...full, ...Object.fromEntries(optionalContentFields.filter((name) => !names.includes(name)).map((name) => [name, undefined])) });
        const tape: Tape = { items: [], at: 0 };
        writeFields(tape, content, requiredContentFields, writers);
        const present = presentFields(content, optionalContentFields);
        writeFields(tape, content, optionalContentFields, writers);
        const read: Partial<NotificationContent> = {};
        readFields(tape, requiredContentFields, readers, read);
        readFields(tape, optionalContentFields, readers, read, present);
        expect(read).toEqual(content);
        expect(tape.at, 'every value written is read, no more').toBe(tape.items.length);
      }),
    );
  });
});

describe('validation through the table', () => {
  it('normalizes each optional field by its kind: platforms lower-case, a number from digits, absent ones absent', () => {
    const content = validateNotification(
      {
        targetHostName: 'app.example',
        appNotificationId: 'n-1',
        payload: { rawContent: 'r', visualContent: { title: 'T' } },
        targetPolicy: { platformTypes: ['iOS', 'WINDOWS', 'ios'] },
        displayTimeToLive: '120',
        fallbackPolicy: { endpointFallback: { platformTypes: ['IOS'], fallbackDelayInSeconds: 60 } },
      },
      { now },
    );
    expect(content).toEqual({
      targetHostName: 'app.example',
      appNotificationId: 'n-1',
      payload: { rawContent: 'r', visualContent: { title: 'T' } },
      expirationDateTime: '2026-01-31T00:00:00.000Z',
      targetPolicy: { platformTypes: ['ios', 'windows'] },
      displayTimeToLive: 120,
      fallbackPolicy: { endpointFallback: { platformTypes: ['ios'], fallbackDelayInSeconds: 60 } },
    });
    expect('priority' in content || 'groupName' in content, 'fields not sent stay absent').toBe(false);
    expect(Object.keys(content), 'in table order').toEqual(contentFieldNames.filter((name) => name in content));
  });
});
