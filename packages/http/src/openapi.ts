/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same JSON Schemas that
 * validate requests, so the two can never disagree.
 */
import { errorStatuses, notificationSchema, notificationStateSchema, subscriptionSchema, type JsonSchema } from '@herald/core';
import { component, errorDetailsSchema, errors, idParameter, json, ref } from './openapi-parts.js';
import { preferencePaths, preferenceSchemas } from './openapi-preferences.js';

/** The optional X-UNS-ID of a state change or a delete: the endpoint making it, which is not sent its sync. */
const originHeader: JsonSchema = { name: 'X-UNS-ID', in: 'header', required: false, schema: { type: 'string' } };

/** Builds the OpenAPI document for an API served at `serverUrl`. */
export function openApiDocument(serverUrl: string): JsonSchema {
  const storedFields = {
    id: { type: 'string' },
    createdDateTime: { type: 'string', format: 'date-time' },
    lastModifiedDateTime: { type: 'string', format: 'date-time' },
    readState: notificationStateSchema.properties.readState,
    userActionState: notificationStateSchema.properties.userActionState,
  };
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Herald notifications API',
      version: '0.1.0',
      description: 'Graph-compatible notifications: create and send (POST /me/notifications), read the feed, track changes, manage subscriptions, set preferences, and explain who gets what.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths: {
      '/me/notifications': {
        post: {
          summary: 'Create and send a notification',
          description: 'X-UNS-ID names the subscription that targets the user. 201 when created, 200 when the appNotificationId updated an existing notification.',
          parameters: [{ name: 'X-UNS-ID', in: 'header', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: json(ref('NotificationRequest')) },
          responses: {
            '201': { description: 'Created', headers: { Location: { schema: { type: 'string' } } }, content: json(ref('Notification')) },
            '200': { description: 'An existing notification was updated', headers: { Location: { schema: { type: 'string' } } }, content: json(ref('Notification')) },
            ...errors('ARRAY_BODY', 'CONTRACT_MISMATCH', 'INVALID_PAYLOAD', 'UNSUPPORTED_HEADER', 'MALFORMED_JSON', 'INVALID_PAYLOAD_DATA_TYPE', 'CALLER_BLOCKED', 'CALLER_UNAUTHORIZED', 'SUBSCRIPTION_NOT_FOUND', 'METHOD_NOT_ALLOWED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_CONTENT_ENCODING', 'UNSUPPORTED_MEDIA_TYPE', 'SUBSCRIPTION_INACTIVE'),
          },
        },
        get: {
          summary: "The signed-in user's feed, newest first",
          parameters: [
            { name: '$top', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
            { name: '$filter', in: 'query', description: "readState eq 'unread', groupName eq '…', targetHostName eq '…', joined by and", schema: { type: 'string' } },
            { name: '$skiptoken', in: 'query', schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'A page', content: json(ref('NotificationPage')) }, ...errors('INVALID_ARGUMENT', 'INVALID_CURSOR') },
        },
      },
      '/me/notifications/delta': {
        get: {
          summary: 'Changes since a delta token',
          parameters: [
            { name: '$deltatoken', in: 'query', schema: { type: 'string' } },
            { name: '$skiptoken', in: 'query', schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'Changes', content: json(ref('NotificationDelta')) }, ...errors('INVALID_CURSOR', 'CURSOR_EXPIRED') },
        },
      },
      '/me/notifications/stream': {
        get: {
          summary: "The signed-in user's feed, live (Server-Sent Events)",
          description:
            'One event per change: `id` the cursor after it, `event` created | updated | stateChanged | deleted, `data` a StreamChange. ' +
            'Without a cursor the stream starts with every live notification as `created`. A `resync` event (data: StreamResync, an empty `id`) ends it: ' +
            'the client drops what it holds and reconnects without a cursor. A comment line (`: heartbeat`) comes every 15 s by default.',
          parameters: [
            { name: 'Last-Event-ID', in: 'header', description: 'Resume after this cursor (an EventSource sends it when it reconnects)', schema: { type: 'string' } },
            { name: 'since', in: 'query', description: 'Resume after this cursor (for a first connection; Last-Event-ID wins)', schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'An endless text/event-stream',
              content: { 'text/event-stream': { schema: { type: 'string' }, itemSchema: { oneOf: [ref('StreamChange'), ref('StreamResync')] } } },
            },
            ...errors('INVALID_ARGUMENT', 'INVALID_CURSOR'),
          },
        },
      },
      '/me/notifications/{id}': {
        parameters: [idParameter('id', 'The notification id')],
        get: { summary: 'One notification', responses: { '200': { description: 'The notification', content: json(ref('Notification')) }, ...errors('NOTIFICATION_NOT_FOUND') } },
        patch: {
          summary: 'Change read or action state',
          description: "The user's other endpoints are sent the new state (cross-device sync); X-UNS-ID, when given, names the endpoint making the change, which is not.",
          parameters: [originHeader],
          requestBody: { required: true, content: json(ref('NotificationState')) },
          responses: { '200': { description: 'The notification', content: json(ref('Notification')) }, ...errors('NOTIFICATION_NOT_FOUND', 'CONTRACT_MISMATCH') },
        },
        delete: {
          summary: 'Delete a notification',
          description: "The user's other endpoints are told it is gone (cross-device sync, type deleted); X-UNS-ID, when given, names the endpoint deleting it, which is not.",
          parameters: [originHeader],
          responses: { '204': { description: 'Deleted' }, ...errors('NOTIFICATION_NOT_FOUND') },
        },
      },
      '/me/notifications/subscriptions': {
        post: {
          summary: 'Subscribe an endpoint of the signed-in user',
          requestBody: { required: true, content: json(ref('SubscriptionRequest')) },
          responses: { '201': { description: 'Created; its id is the X-UNS-ID', content: json(ref('Subscription')) }, ...errors('CONTRACT_MISMATCH', 'UNKNOWN_TRANSPORT', 'TOO_MANY_SUBSCRIPTIONS') },
        },
        get: { summary: "The signed-in user's subscriptions", responses: { '200': { description: 'The list', content: json({ type: 'object', properties: { value: { type: 'array', items: ref('Subscription') } } }) } } },
      },
      '/me/notifications/subscriptions/{id}': {
        parameters: [idParameter('id', 'The subscription id (X-UNS-ID)')],
        delete: { summary: 'Delete a subscription', responses: { '204': { description: 'Deleted' }, ...errors('SUBSCRIPTION_NOT_FOUND') } },
      },
      ...preferencePaths,
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        NotificationRequest: component(notificationSchema),
        NotificationState: component(notificationStateSchema),
        SubscriptionRequest: component(subscriptionSchema),
        ...preferenceSchemas,
        Notification: {
          type: 'object',
          properties: { '@odata.context': { type: 'string' }, ...notificationSchema.properties, ...storedFields, displayTimeToLive: { type: 'integer' } },
          required: ['id', 'targetHostName', 'appNotificationId', 'payload', 'expirationDateTime', 'readState', 'userActionState'],
        },
        NotificationPage: {
          type: 'object',
          properties: { '@odata.context': { type: 'string' }, value: { type: 'array', items: ref('Notification') }, '@odata.nextLink': { type: 'string' } },
        },
        NotificationDelta: {
          type: 'object',
          properties: {
            value: { type: 'array', items: { type: 'object' } },
            '@odata.nextLink': { type: 'string' },
            '@odata.deltaLink': { type: 'string' },
          },
        },
        StreamChange: {
          type: 'object',
          required: ['notification', 'unreadCount'],
          properties: {
            notification: { description: 'The notification (a Notification), or for `deleted` {"id", "@removed": {"reason": "deleted"}}', type: 'object' },
            unreadCount: { type: 'integer', minimum: 0, description: "The user's unread count after this change" },
          },
        },
        StreamResync: {
          type: 'object',
          required: ['reason', 'message'],
          properties: { reason: { type: 'string', enum: ['cursorExpired', 'slowClient'] }, message: { type: 'string' } },
        },
        Subscription: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            targetHostName: subscriptionSchema.properties.targetHostName,
            platformType: { type: 'string' },
            transport: subscriptionSchema.properties.transport,
            address: subscriptionSchema.properties.address,
            hasSecret: { type: 'boolean' },
            createdDateTime: { type: 'string', format: 'date-time' },
            lastModifiedDateTime: { type: 'string', format: 'date-time' },
            expirationDateTime: { type: 'string', format: 'date-time' },
            status: { type: 'string', enum: ['active', 'inactive'] },
            statusReason: { type: 'string' },
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', enum: Object.keys(errorStatuses) },
                message: { type: 'string' },
                details: errorDetailsSchema,
                innerError: { type: 'object', properties: { 'request-id': { type: 'string' }, date: { type: 'string' } } },
              },
            },
          },
        },
      },
    },
  };
}
