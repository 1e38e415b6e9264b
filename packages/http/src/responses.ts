/**
 * Writing answers: JSON bodies, Graph's error shape, and the `request-id` header every
 * response carries.
 */
import type { ServerResponse } from 'node:http';
import { HeraldError, type ValidationIssue } from '@herald/core';

const jsonContentType = 'application/json; charset=utf-8';

/**
 * Writes `body` as JSON with `status` and any extra headers. `headers` is the caller's own
 * literal, made for this answer: the JSON headers are added to it rather than to a copy.
 */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  const length = String(Buffer.byteLength(text));
  if (headers === undefined) {
    response.writeHead(status, { 'content-type': jsonContentType, 'content-length': length });
  } else {
    headers['content-type'] = jsonContentType;
    headers['content-length'] = length;
    response.writeHead(status, headers);
  }
  response.end(text);
}

/** Writes an empty answer. */
export function sendEmpty(response: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  response.writeHead(status, headers);
  response.end();
}

/**
 * Writes a `HeraldError` in Graph's error shape:
 * `{"error": {"code", "message", "details"?, "innerError": {"request-id", "date"}}}`.
 */
/** Validation issues as the `details` of a Graph error (`code` the rule, `target` the field). */
export function errorDetails(issues: readonly ValidationIssue[]): { code: string; message: string; target: string }[] {
  return issues.map((issue) => ({ code: issue.rule, message: issue.message, target: issue.field }));
}

export function sendError(response: ServerResponse, error: HeraldError, requestId: string, now: Date): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  if (error.code === 'UNAUTHENTICATED') headers['www-authenticate'] = 'Bearer';
  const body = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.issues.length === 0 ? {} : { details: errorDetails(error.issues) }),
      innerError: { 'request-id': requestId, date: now.toISOString() },
    },
  };
  sendJson(response, error.status, body, headers);
}
