/**
 * The Lua scripts take the codes, messages and reasons of delivery transitions from core
 * (`delivery-transitions.ts`), written into their source when the module loads: no script
 * file holds a copy of its own that could drift.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cancelReasons, deliveryEndCodes, supersededDeliveryError } from '@herald/core/store';
import { scripts } from '../src/scripts/index.js';

const scriptDir = fileURLToPath(new URL('../src/scripts/', import.meta.url));
const sources = readdirSync(scriptDir)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => ({ name, text: readFileSync(`${scriptDir}${name}`, 'utf8') }));
const constants = [...Object.values(deliveryEndCodes), supersededDeliveryError.message, ...Object.values(cancelReasons)];

describe("the Lua scripts' constants", () => {
  it('appear in no script file as a literal (a Lua name such as CANCELLED is no copy)', () => {
    expect(sources.length, 'the script files were found').toBeGreaterThan(5);
    for (const { name, text } of sources) {
      for (const constant of constants) {
        for (const quote of ["'", '"', '`', '[[']) {
          const literal = `${quote}${constant}${quote === '[[' ? ']]' : quote}`;
          expect(text.includes(literal), `${name} holds a copy: ${literal}`).toBe(false);
        }
      }
    }
  });

  it('are written into the scripts that record them', () => {
    const quoted = (text: string): string => JSON.stringify(text);
    for (const script of [scripts.completeDeliveries, scripts.cancelDeliveries, scripts.saveNotifications]) {
      expect(script.source, script.name).toContain(quoted(deliveryEndCodes.cancelled));
      expect(script.source, script.name).toContain(quoted(deliveryEndCodes.superseded));
    }
    expect(scripts.saveNotifications.source).toContain(quoted(supersededDeliveryError.message));
    expect(scripts.deleteSubscription.source).toContain(quoted(cancelReasons.subscriptionDeleted));
  });
});
