/**
 * The OpenAPI paths and schemas of preferences and explanations: the preference bodies
 * are core's JSON Schemas (the ones the routes validate with); the explanations are
 * described from core's lists of outcomes, checks and rule kinds.
 */
import {
  decisionOutcomes,
  deliveryKinds,
  deliveryStatuses,
  preferenceChoices,
  preferencePrecedence,
  preferencesPatchSchema,
  preferencesSchema,
  sendChecks,
  type DecisionRuleKind,
  type JsonSchema,
} from '@herald/core';
import { component, errorDetailsSchema, errors, idParameter, json, ref } from './openapi-parts.js';

/** Every rule kind a decision may name; a kind added in core fails this file's compile until listed. */
const ruleKinds: Record<DecisionRuleKind, true> = { inactive: true, expired: true, app: true, platform: true, preference: true, quietHours: true, critical: true };

const dateTime = { type: 'string', format: 'date-time' } as const;

const decisionRule: JsonSchema = {
  type: 'object',
  required: ['kind'],
  description:
    'The rule that decided. preference: the most specific rule of the precedence table (level, key — absent for default —, choice); ' +
    'quietHours: deferred until `until`; critical: a critical send overrode the rules in `overrode`.',
  properties: {
    kind: { type: 'string', enum: Object.keys(ruleKinds) },
    level: { type: 'string', enum: preferencePrecedence.map((row) => row.level) },
    key: { type: 'string' },
    choice: { type: 'string', enum: [...preferenceChoices] },
    until: dateTime,
    overrode: { type: 'array', items: { type: 'object' } },
  },
};

/** The paths, to spread into the document's `paths`. */
export const preferencePaths: Record<string, JsonSchema> = {
  '/me/notifications/preferences': {
    get: {
      summary: "The signed-in user's notification preferences ({} when none were set)",
      responses: { '200': { description: 'The preferences', content: json(ref('NotificationPreferences')) }, ...errors() },
    },
    patch: {
      summary: "Change the signed-in user's notification preferences (JSON Merge Patch, RFC 7396)",
      description:
        'A field given replaces the stored one and null removes it; rules (apps, groups, …) and quietHours merge key by key; arrays are replaced whole. ' +
        'The result is checked whole (INVALID_PREFERENCES, with details naming each field, the quiet-hours schedule\'s included) and returned as stored. ' +
        'A send planned after the answer decides with the new preferences.',
      requestBody: {
        required: true,
        content: { 'application/merge-patch+json': { schema: ref('NotificationPreferencesPatch') }, ...json(ref('NotificationPreferencesPatch')) },
      },
      responses: {
        '200': { description: 'The preferences as stored', content: json(ref('NotificationPreferences')) },
        ...errors('INVALID_PREFERENCES', 'MALFORMED_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE'),
      },
    },
  },
  '/me/notifications/explain': {
    post: {
      summary: 'Dry run of a send: would each subscription of the user get this notification, when, and which rule decides',
      description:
        'Same headers, body and checks as POST /me/notifications (X-UNS-ID names the subscription that targets the user); nothing is written and no rate is spent. ' +
        'A refused check (blocked, unauthorized, throttled, a body off the contract) is reported with accepted: false, not as an error.',
      parameters: [{ name: 'X-UNS-ID', in: 'header', required: true, schema: { type: 'string' } }],
      requestBody: { required: true, content: json(ref('NotificationRequest')) },
      responses: {
        '200': { description: 'What a send would do now', content: json(ref('SendExplanation')) },
        ...errors('INVALID_ARGUMENT', 'UNSUPPORTED_HEADER', 'MALFORMED_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_CONTENT_ENCODING', 'UNSUPPORTED_MEDIA_TYPE'),
      },
    },
  },
  '/me/notifications/{id}/explain': {
    parameters: [idParameter('id', 'The notification id')],
    get: {
      summary: "Why each of the signed-in user's subscriptions got (or did not get) a notification",
      description: 'The decision recorded for each subscription at send time (absent when it was simply delivered to), then each delivery with its attempts and outcome.',
      responses: { '200': { description: 'The explanation', content: json(ref('NotificationExplanation')) }, ...errors('NOTIFICATION_NOT_FOUND') },
    },
  },
};

/** The schemas, to spread into the document's `components.schemas`. */
export const preferenceSchemas: Record<string, JsonSchema> = {
  NotificationPreferences: component(preferencesSchema),
  NotificationPreferencesPatch: component(preferencesPatchSchema),
  DeliveryDecision: {
    type: 'object',
    required: ['subscriptionId', 'outcome', 'rule'],
    properties: {
      subscriptionId: { type: 'string' },
      outcome: { type: 'string', enum: [...decisionOutcomes], description: 'now, at sendAt (scheduled), deferred by quiet hours, or skipped' },
      at: { ...dateTime, description: 'When the first attempt is due; absent when skipped' },
      rule: decisionRule,
    },
  },
  SendExplanation: {
    type: 'object',
    required: ['accepted', 'checks', 'decisions'],
    properties: {
      accepted: { type: 'boolean' },
      checks: {
        type: 'array',
        items: {
          type: 'object',
          required: ['check', 'outcome'],
          properties: {
            check: { type: 'string', enum: [...sendChecks] },
            outcome: { type: 'string', enum: ['passed', 'refused'] },
            code: { type: 'string' },
            message: { type: 'string' },
            details: errorDetailsSchema,
            retryAfterSeconds: { type: 'integer' },
          },
        },
      },
      userId: { type: 'string' },
      decisions: { type: 'array', items: ref('DeliveryDecision') },
    },
  },
  Delivery: {
    type: 'object',
    required: ['id', 'subscriptionId', 'transport', 'platformType', 'kind', 'status', 'attempts', 'createdDateTime', 'lastModifiedDateTime'],
    properties: {
      id: { type: 'string' },
      subscriptionId: { type: 'string' },
      transport: { type: 'string' },
      platformType: { type: 'string' },
      kind: { type: 'string', enum: [...deliveryKinds] },
      status: { type: 'string', enum: [...deliveryStatuses] },
      attempts: { type: 'integer', minimum: 0 },
      createdDateTime: dateTime,
      lastModifiedDateTime: dateTime,
      nextAttemptDateTime: dateTime,
      deliveredDateTime: dateTime,
      lastError: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
    },
  },
  NotificationExplanation: {
    type: 'object',
    required: ['notificationId', 'subscriptions'],
    properties: {
      notificationId: { type: 'string' },
      subscriptions: {
        type: 'array',
        items: {
          type: 'object',
          required: ['subscriptionId', 'deliveries'],
          properties: { subscriptionId: { type: 'string' }, decision: ref('DeliveryDecision'), deliveries: { type: 'array', items: ref('Delivery') } },
        },
      },
    },
  },
};
