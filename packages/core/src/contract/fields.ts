/**
 * The contract's field table: every field of {@link NotificationContent}, whether it is
 * optional, and the kind of value it holds. Validation, the stores' copies and the
 * stores' encodings walk this table with one function per kind instead of naming fields,
 * so a new optional field of a known kind is one line here (beside its type and its
 * schema), and a new kind is a compile error in every place that must learn it.
 *
 * The order of the entries is part of stored formats (the file store's snapshot numbers
 * the optional fields by their place here; the Redis store writes JSON keys in this
 * order): add new fields at the end, and never reorder.
 */
import { priorities, type FallbackPolicy, type NotificationContent, type NotificationPayload, type TargetPolicy } from './types.js';

/** The value a field of each kind holds, in the stored (normalized) form. */
export interface FieldValues {
  /** Text: an id, a name (well-formed Unicode, as every accepted string). */
  text: string;
  /** An ISO 8601 UTC date-time (`2026-01-02T03:04:05.000Z`). */
  'date-time': string;
  /** One of a fixed list of strings: the spec's `values`. */
  enum: string;
  /** A finite number (e.g. seconds). */
  number: number;
  /** The payload: visual content, raw content, or both. */
  payload: NotificationPayload;
  /** A target policy: the platforms a notification goes to. */
  'target-policy': TargetPolicy;
  /** A raw-to-visual fallback policy. */
  'fallback-policy': FallbackPolicy;
}

/** A kind of field. */
export type FieldKind = keyof FieldValues;

/** A field of the contract's content. */
export type ContentField = keyof NotificationContent;

/** The fields of the content that may be absent. */
export type OptionalContentField = { [K in ContentField]-?: {} extends Pick<NotificationContent, K> ? K : never }[ContentField];

/** What the table says about one field of kind `K`. */
export type FieldSpecOfKind<K extends FieldKind> = K extends 'enum'
  ? { readonly kind: K; readonly optional: boolean; /** Every value the field may hold. */ readonly values: readonly string[] }
  : { readonly kind: K; readonly optional: boolean };

/** What the table says about a field: its kind, whether it is optional, and for an enum its values. */
export type ContentFieldSpec = { [K in FieldKind]: FieldSpecOfKind<K> }[FieldKind];

/** The kinds whose values a field of type `T` can hold. */
type KindsFor<T> = { [K in FieldKind]: [T] extends [FieldValues[K]] ? K : never }[FieldKind];

/**
 * The spec a field must have: a kind that holds its type, `optional` exactly when the
 * field is, and for an enum, values of its type. A wrong one is a compile error.
 */
type SpecFor<F extends ContentField> = {
  [K in KindsFor<NonNullable<NotificationContent[F]>>]: K extends 'enum'
    ? { readonly kind: K; readonly optional: F extends OptionalContentField ? true : false; readonly values: readonly NonNullable<NotificationContent[F]>[] }
    : { readonly kind: K; readonly optional: F extends OptionalContentField ? true : false };
}[KindsFor<NonNullable<NotificationContent[F]>>];

/** The shape of the table: one spec for every field of the content, and nothing else. */
export type ContentFieldTable = { readonly [F in ContentField]-?: SpecFor<F> };

/** Every field of {@link NotificationContent}, in the order stores write them. */
export const contentFields = {
  targetHostName: { kind: 'text', optional: false },
  appNotificationId: { kind: 'text', optional: false },
  payload: { kind: 'payload', optional: false },
  expirationDateTime: { kind: 'date-time', optional: false },
  targetPolicy: { kind: 'target-policy', optional: true },
  priority: { kind: 'enum', optional: true, values: priorities },
  groupName: { kind: 'text', optional: true },
  displayTimeToLive: { kind: 'number', optional: true },
  fallbackPolicy: { kind: 'fallback-policy', optional: true },
} as const satisfies ContentFieldTable;

const allFields = Object.keys(contentFields) as ContentField[];

/** The required fields, in table order. */
export const requiredContentFields: readonly ContentField[] = Object.freeze(allFields.filter((name) => !contentFields[name].optional));

/** The optional fields, in table order (the file store's snapshot numbers them by this order). */
export const optionalContentFields: readonly OptionalContentField[] = Object.freeze(
  allFields.filter((name): name is OptionalContentField => contentFields[name].optional),
);

/** Every field, in table order. */
export const contentFieldNames: readonly ContentField[] = Object.freeze(allFields);

/** Per kind, a copy of a value of that kind (identity, a frozen copy, an interned one …). */
export type FieldCopiers = { readonly [K in FieldKind]: (value: FieldValues[K], spec: FieldSpecOfKind<K>) => FieldValues[K] };

/**
 * Per kind, the stored form of a value that a schema has already checked, but not typed
 * (a request's value: platform names in any case, a number as a string of digits).
 */
export type FieldNormalizers = { readonly [K in FieldKind]: (value: unknown, spec: FieldSpecOfKind<K>) => FieldValues[K] };

/** A value of a field, as the copiers' and codecs' one untyped call sees it. */
type AnyKindFunction = (value: unknown, spec: ContentFieldSpec) => unknown;

/**
 * Sets on `into`, for each of `names` present in `source` (neither absent nor undefined),
 * its kind's copy of the value, in the order of `names`.
 */
export function copyFields(source: Partial<NotificationContent>, names: readonly ContentField[], copiers: FieldCopiers, into: Partial<NotificationContent>): void;
export function copyFields(source: { readonly [F in ContentField]?: unknown }, names: readonly ContentField[], copiers: FieldNormalizers, into: Partial<NotificationContent>): void;
export function copyFields(source: { readonly [F in ContentField]?: unknown }, names: readonly ContentField[], copiers: FieldCopiers | FieldNormalizers, into: Partial<NotificationContent>): void {
  const target = into as Record<ContentField, unknown>;
  // An index, not for…of: this runs per field of every send and every record read back,
  // and V8 did not always optimize the iterator away (an object per field).
  for (let index = 0; index < names.length; index++) {
    const name = names[index] as ContentField;
    const value = source[name];
    if (value === undefined) continue;
    const spec = contentFields[name] as ContentFieldSpec;
    target[name] = (copiers[spec.kind] as AnyKindFunction)(value, spec);
  }
}

/** Every kind as it is: for {@link copyFields} onto an object of another shape (a record). */
export const asIsCopiers: FieldCopiers = {
  text: (value) => value,
  'date-time': (value) => value,
  enum: (value) => value,
  number: (value) => value,
  payload: (value) => value,
  'target-policy': (value) => value,
  'fallback-policy': (value) => value,
};

/**
 * The contract's fields of `source` and nothing else (not a stored record's id or state),
 * absent ones absent rather than undefined, in table order. Shallow: values are shared.
 */
export function pickContent(source: NotificationContent): NotificationContent {
  const content = {} as NotificationContent;
  copyFields(source, contentFieldNames, asIsCopiers, content);
  return content;
}

/** Per kind, how a binary or text encoding writes a value of that kind to `Out`. */
export type FieldWriters<Out> = { readonly [K in FieldKind]: (out: Out, value: FieldValues[K], spec: FieldSpecOfKind<K>) => void };

/** Per kind, how an encoding reads a value of that kind back from `In`. */
export type FieldReaders<In> = { readonly [K in FieldKind]: (input: In, spec: FieldSpecOfKind<K>) => FieldValues[K] };

/**
 * A number with bit `i` set when `names[i]` is present in `content`: how an encoding
 * records which optional fields follow. At most 31 names.
 */
export function presentFields(content: Partial<NotificationContent>, names: readonly ContentField[]): number {
  let bits = 0;
  for (let index = 0; index < names.length; index++) {
    if (content[names[index] as ContentField] !== undefined) bits |= 1 << index;
  }
  return bits;
}

/** Writes each of `names` present in `content` with its kind's writer, in the order of `names`. */
export function writeFields<Out>(out: Out, content: Partial<NotificationContent>, names: readonly ContentField[], writers: FieldWriters<Out>): void {
  for (let index = 0; index < names.length; index++) {
    const name = names[index] as ContentField;
    const value = content[name];
    if (value === undefined) continue;
    const spec = contentFields[name] as ContentFieldSpec;
    (writers[spec.kind] as (out: Out, value: unknown, spec: ContentFieldSpec) => void)(out, value, spec);
  }
}

/**
 * Reads into `into`, with its kind's reader, each of `names` whose bit is set in
 * `present` (from {@link presentFields}; every one by default), in the order of `names`.
 */
export function readFields<In>(input: In, names: readonly ContentField[], readers: FieldReaders<In>, into: Partial<NotificationContent>, present = -1): void {
  const target = into as Record<ContentField, unknown>;
  for (let index = 0; index < names.length; index++) {
    if ((present & (1 << index)) === 0) continue;
    const name = names[index] as ContentField;
    const spec = contentFields[name] as ContentFieldSpec;
    target[name] = (readers[spec.kind] as (input: In, spec: ContentFieldSpec) => unknown)(input, spec);
  }
}
