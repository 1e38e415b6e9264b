import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runQuickstart } from '../src/quickstart.js';
import { useLoopbackOnly } from '@herald/testing';

// Every connection these tests open must stay on loopback.
useLoopbackOnly();

describe('the quickstart', () => {
  it('stores the reference example in the feed and delivers it to all three endpoints', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    await runQuickstart(out);
    expect(text).toContain('201 Created');
    expect(text).toContain('3 deliveries queued');
    for (const platform of ['windows', 'ios', 'android']) {
      expect(text).toMatch(new RegExp(`\\[herald\\] ${platform} endpoint of graphnotify@contoso.com .*“Hello World!” — Notifications are Great!`));
      expect(text).toMatch(new RegExp(`${platform}\\s+delivered after 1 attempt`));
    }
    expect(text).toMatch(/\[unread\]\s+Hello World! — Notifications are Great!\s+\(group TestGroup/);
    expect(text).toContain('unread: 1');
  });
});
