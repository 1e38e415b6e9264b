/**
 * The JSON Schemas (draft 2020-12) of Herald's contract. They are exported so that
 * applications, the HTTP layer and its OpenAPI document validate against the same text.
 */
import { contractLimits as limits } from './limits.js';
import { platformTypes, priorities, readStates, userActionStates, type NotificationRequest } from './types.js';

/** A JSON Schema object, as far as Herald's schemas use it. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** A pattern that matches a word in any letter case: `ios` → `[iI][oO][sS]`. */
function anyCase(word: string): string {
  return [...word].map((c) => (c.toLowerCase() === c.toUpperCase() ? c : `[${c.toLowerCase()}${c.toUpperCase()}]`)).join('');
}

/** Platform names, accepted in any letter case (`iOS`, `Windows`, `WEBPUSH`). */
export const platformTypeSchema = {
  type: 'string',
  description: `One of ${platformTypes.join(', ')}, in any letter case.`,
  pattern: `^(?:${platformTypes.map(anyCase).join('|')})$`,
} as const satisfies JsonSchema;

/** Text without control characters: ids and names that end up in logs and keys. */
const namePattern = '^[^\\u0000-\\u001f\\u007f]+$';

const visualContentSchema = {
  type: 'object',
  description: 'The visible part of a notification: a title, a body, or both.',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    title: { type: 'string', minLength: 1, maxLength: limits.titleLength },
    body: { type: 'string', minLength: 1, maxLength: limits.bodyLength },
  },
} as const satisfies JsonSchema;

const platformListSchema = {
  type: 'array',
  minItems: 1,
  maxItems: 16,
  items: platformTypeSchema,
} as const satisfies JsonSchema;

/** The JSON Schema of a notification request (the body of `POST /me/notifications`). */
export const notificationSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://herald.dev/schemas/notification.json',
  title: 'Notification',
  description: 'A notification an app server sends to a user, as in the Graph notifications API.',
  type: 'object',
  additionalProperties: false,
  required: ['targetHostName', 'appNotificationId', 'payload'],
  properties: {
    targetHostName: {
      type: 'string',
      description: 'The app the notification is for.',
      minLength: 1,
      maxLength: limits.targetHostNameLength,
      pattern: '^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$',
    },
    appNotificationId: {
      type: 'string',
      description: "The app's own id; sending it again for the same user updates the notification.",
      minLength: 1,
      maxLength: limits.appNotificationIdLength,
      pattern: namePattern,
    },
    expirationDateTime: {
      type: 'string',
      description: 'When the notification expires (ISO 8601, at most 30 days ahead; 30 days when absent).',
      format: 'date-time',
    },
    payload: {
      type: 'object',
      description: 'Visual content, raw content, or both.',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        visualContent: visualContentSchema,
        rawContent: { type: 'string', minLength: 1, maxLength: limits.rawContentLength },
      },
    },
    targetPolicy: {
      type: 'object',
      additionalProperties: false,
      properties: { platformTypes: platformListSchema },
    },
    priority: { type: 'string', enum: [...priorities] },
    groupName: {
      type: 'string',
      minLength: 1,
      maxLength: limits.groupNameLength,
      pattern: namePattern,
    },
    displayTimeToLive: {
      description: 'Seconds the platform keeps the toast; an integer or a string of digits.',
      anyOf: [
        { type: 'integer', minimum: 0, maximum: limits.displayTimeToLiveSeconds },
        { type: 'string', pattern: '^[0-9]{1,7}$' },
      ],
    },
    fallbackPolicy: {
      type: 'object',
      additionalProperties: false,
      required: ['endpointFallback'],
      properties: {
        endpointFallback: {
          type: 'object',
          additionalProperties: false,
          required: ['platformTypes', 'fallbackDelayInSeconds'],
          properties: {
            platformTypes: platformListSchema,
            fallbackDelayInSeconds: {
              type: 'integer',
              minimum: limits.minFallbackDelaySeconds,
              maximum: limits.maxFallbackDelaySeconds,
            },
            visualContent: visualContentSchema,
          },
        },
      },
    },
  } satisfies Record<keyof NotificationRequest, JsonSchema>,
} as const satisfies JsonSchema;

/** Longest transport name. */
const transportNameLength = 64;

/** The JSON Schema of a subscription request: one endpoint of the signed-in user. */
export const subscriptionSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://herald.dev/schemas/subscription.json',
  title: 'Subscription',
  description: 'One endpoint (an app client on a device) that receives the user’s notifications.',
  type: 'object',
  additionalProperties: false,
  required: ['targetHostName', 'platformType', 'transport', 'address'],
  properties: {
    targetHostName: notificationSchema.properties.targetHostName,
    platformType: platformTypeSchema,
    transport: {
      type: 'string',
      description: 'The name of a registered transport.',
      minLength: 1,
      maxLength: transportNameLength,
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
    },
    address: {
      type: 'string',
      description: 'What the transport needs to reach the endpoint: a URL, a device token, …',
      minLength: 1,
      maxLength: 2048,
      pattern: namePattern,
    },
    expirationDateTime: {
      type: 'string',
      description: 'When the subscription expires (ISO 8601); a default lifetime when absent.',
      format: 'date-time',
    },
    secret: {
      type: 'string',
      description: 'A secret the transport uses for this endpoint (a webhook signing secret).',
      minLength: 1,
      maxLength: 1024,
      pattern: namePattern,
    },
  },
} as const satisfies JsonSchema;

/** The JSON Schema of a change to a notification's state (`PATCH /me/notifications/{id}`). */
export const notificationStateSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://herald.dev/schemas/notification-state.json',
  title: 'NotificationState',
  description: 'A change to whether the user read a notification and what they did with it.',
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    readState: { type: 'string', enum: [...readStates] },
    userActionState: { type: 'string', enum: [...userActionStates] },
  },
} as const satisfies JsonSchema;
