/**
 * Turns ajv's validation errors into Herald's issues (a field, a rule, a sentence) and
 * picks the error code of the reference's table that the issues amount to.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { HeraldErrorCode, ValidationIssue } from '../errors.js';

/** Most issues reported for one input; hostile input can produce thousands. */
const maxIssues = 20;
/** Longest property name quoted back in a message. */
const maxQuotedName = 64;

function quote(name: string): string {
  const shown = name.length > maxQuotedName ? `${name.slice(0, maxQuotedName)}…` : name;
  return JSON.stringify(shown);
}

/** `/targetPolicy/platformTypes/0` → `targetPolicy.platformTypes[0]`. */
export function fieldOf(instancePath: string, child?: string): string {
  const parts = instancePath === '' ? [] : instancePath.slice(1).split('/');
  if (child !== undefined) parts.push(child);
  let field = '';
  for (const raw of parts) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) field += `[${part}]`;
    else field += field === '' ? part : `.${part}`;
  }
  return field;
}

function describe(field: string): string {
  return field === '' ? 'the body' : field;
}

/** Messages for fields whose schema is a union, where ajv's per-branch errors would confuse. */
const unionMessages: Record<string, string> = {
  displayTimeToLive: 'displayTimeToLive must be a whole number of seconds from 0 to 2592000 (a number or a string of digits)',
};

function issueOf(error: ErrorObject): ValidationIssue {
  const field = fieldOf(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const subject = describe(field);
  switch (error.keyword) {
    case 'required': {
      const missing = String(params['missingProperty']);
      return { field: fieldOf(error.instancePath, missing), rule: 'required', message: `${fieldOf(error.instancePath, missing)} is required` };
    }
    case 'additionalProperties': {
      const extra = String(params['additionalProperty']);
      return {
        field: fieldOf(error.instancePath, extra),
        rule: 'additionalProperties',
        message: `${quote(extra)} is not a field of ${subject === 'the body' ? 'the contract' : subject}`,
      };
    }
    case 'type':
      return { field, rule: 'type', message: `${subject} must be ${article(String(params['type']))}` };
    case 'enum':
      return { field, rule: 'enum', message: `${subject} must be one of ${(params['allowedValues'] as unknown[]).map(String).join(', ')}` };
    case 'minLength':
      return { field, rule: 'minLength', message: `${subject} must not be empty` };
    case 'maxLength':
      return { field, rule: 'maxLength', message: `${subject} must be at most ${String(params['limit'])} characters long` };
    case 'minItems':
      return { field, rule: 'minItems', message: `${subject} must list at least ${String(params['limit'])} item(s)` };
    case 'maxItems':
      return { field, rule: 'maxItems', message: `${subject} must list at most ${String(params['limit'])} items` };
    case 'minProperties':
      return { field, rule: 'minProperties', message: `${subject} must not be empty` };
    case 'minimum':
      return { field, rule: 'minimum', message: `${subject} must be at least ${String(params['limit'])}` };
    case 'maximum':
      return { field, rule: 'maximum', message: `${subject} must be at most ${String(params['limit'])}` };
    case 'format':
      return { field, rule: 'format', message: `${subject} must be an ISO 8601 date-time such as 2019-10-30T23:59:00.000Z` };
    case 'pattern':
      return { field, rule: 'pattern', message: patternMessage(field, subject) };
    default:
      return { field, rule: error.keyword, message: `${subject} ${error.message ?? 'is invalid'}` };
  }
}

function article(type: string): string {
  if (type === 'object') return 'an object';
  if (type === 'array') return 'an array';
  if (type === 'integer') return 'an integer';
  return `a ${type}`;
}

function patternMessage(field: string, subject: string): string {
  if (field === 'targetHostName') return 'targetHostName must be a host name: letters, digits, dots, hyphens and underscores';
  if (/platformTypes\[\d+\]$/.test(field) || field === 'platformType') return `${subject} must be one of windows, ios, android, webpush`;
  if (field === 'transport') return 'transport must be a transport name: letters, digits, dots, hyphens and underscores';
  return `${subject} must not contain control characters`;
}

/** Converts ajv's errors into at most {@link maxIssues} distinct issues. */
export function issuesOf(errors: readonly ErrorObject[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const top = fieldOf(error.instancePath).split(/[.[]/)[0] ?? '';
    const union = unionMessages[fieldOf(error.instancePath)];
    const issue = union === undefined ? issueOf(error) : { field: top, rule: 'anyOf', message: union };
    const key = `${issue.field}\u0000${issue.rule}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
    if (issues.length >= maxIssues) break;
  }
  return issues;
}

/**
 * The table row the issues fall under: anything outside the payload is a contract
 * mismatch; a wrong data type inside the payload is the table's 401 row; any other
 * problem with the payload is an invalid payload.
 */
export function codeOf(issues: readonly ValidationIssue[]): HeraldErrorCode {
  const inPayload = (issue: ValidationIssue): boolean => issue.field === 'payload' || issue.field.startsWith('payload.');
  if (issues.some((issue) => !inPayload(issue))) return 'CONTRACT_MISMATCH';
  if (issues.some((issue) => issue.field.startsWith('payload.') && issue.rule === 'type')) return 'INVALID_PAYLOAD_DATA_TYPE';
  return 'INVALID_PAYLOAD';
}

/** One message for a list of issues: the first, and how many more there are. */
export function summaryOf(issues: readonly ValidationIssue[]): string {
  const first = issues[0]?.message ?? 'the body does not match the contract';
  return issues.length > 1 ? `${first} (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : first;
}
