/**
 * The rule for text: every string Herald accepts is well-formed Unicode. A lone UTF-16
 * surrogate (`"\ud800"`) has no UTF-8 form, so a store that writes UTF-8 (a file, Redis,
 * SQL) would turn it into U+FFFD or merge two different strings into one; refusing it
 * at the boundary is what lets every store return exactly the strings it acknowledged.
 * Follows the Unicode Standard's definition of a well-formed UTF-16 code unit sequence
 * (D91), as `String.prototype.isWellFormed` checks it.
 */
import type { ValidationIssue } from '../errors.js';
import { fieldOf } from './issues.js';

/** True when `text` has no lone surrogate. */
export function isWellFormedText(text: string): boolean {
  return text.isWellFormed();
}

/** The sentence that refuses a string with a lone surrogate, for `what` (a field's name). */
export function illFormedMessage(what: string): string {
  return `${what} is not well-formed Unicode (it has a lone UTF-16 surrogate, which cannot be stored as UTF-8); send the text as it was meant, or drop the broken character`;
}

function escapeSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Every string (property names included) in a parsed JSON value that is not well-formed,
 * as validation issues naming its field. Stops after `max` issues. The path is kept as
 * a stack of segments and joined only for an issue, and the walk is one function, not
 * closures made per call: it runs on every send, and nearly every body is well-formed.
 */
export function illFormedIssues(value: unknown, max = 20): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  visitText(value, [], issues, max);
  return issues;
}

function fieldAt(segments: readonly string[]): string {
  return fieldOf(segments.map((segment) => `/${escapeSegment(segment)}`).join(''));
}

function visitText(node: unknown, segments: string[], issues: ValidationIssue[], max: number): void {
  if (issues.length >= max) return;
  if (typeof node === 'string') {
    if (!node.isWellFormed()) {
      const field = fieldAt(segments);
      issues.push({ field, rule: 'wellFormed', message: illFormedMessage(field === '' ? 'the body' : field) });
    }
  } else if (Array.isArray(node)) {
    for (let index = 0; index < node.length; index += 1) {
      segments.push(String(index));
      visitText(node[index], segments, issues, max);
      segments.pop();
    }
  } else if (node !== null && typeof node === 'object') {
    for (const key in node) {
      if (!Object.hasOwn(node, key)) continue;
      if (!key.isWellFormed()) {
        const field = fieldAt(segments);
        issues.push({ field, rule: 'wellFormed', message: illFormedMessage(`a property name in ${field === '' ? 'the body' : field}`) });
      } else {
        segments.push(key);
        visitText((node as Record<string, unknown>)[key], segments, issues, max);
        segments.pop();
      }
    }
  }
}
