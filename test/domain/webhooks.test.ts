// The webhook delivery rules of DESIGN 4b: the retry schedule, verdicts, and which addresses are refused.
import { describe, expect, it } from 'vitest';
import { addressProblem, DEFAULT_RETRY_DELAYS_SECONDS, judgeAttempt, parseRetryDelays, urlFormProblem } from '../../src/domain/webhooks.ts';

describe('retry schedule', () => {
  it('is 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h until about 3 days after the first attempt', () => {
    expect(DEFAULT_RETRY_DELAYS_SECONDS.slice(0, 6)).toEqual([5, 300, 1800, 7200, 18000, 36000]);
    expect(new Set(DEFAULT_RETRY_DELAYS_SECONDS.slice(5))).toEqual(new Set([36000]));
    const total = DEFAULT_RETRY_DELAYS_SECONDS.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(72 * 3600);
    expect(total + 36000).toBeGreaterThan(72 * 3600); // one more 10 h retry would pass 3 days
  });

  it('judges attempts: 2xx succeeds, 410 is gone, others retry until the schedule ends', () => {
    expect(judgeAttempt(204, [1], 1)).toEqual({ kind: 'succeeded' });
    expect(judgeAttempt(410, [1], 1)).toEqual({ kind: 'gone' });
    expect(judgeAttempt(500, [1, 2], 1)).toEqual({ kind: 'retry', delayMs: 1000 });
    expect(judgeAttempt(null, [1, 2], 2)).toEqual({ kind: 'retry', delayMs: 2000 });
    expect(judgeAttempt(301, [1, 2], 3)).toEqual({ kind: 'failed' });
  });

  it('parses WEBHOOK_RETRY_DELAYS', () => {
    expect(parseRetryDelays('1, 0.5,30')).toEqual([1, 0.5, 30]);
    for (const bad of ['', '1,,2', '-1', 'x']) expect(typeof parseRetryDelays(bad)).toBe('string');
  });
});

describe('addresses and URLs', () => {
  it.each([
    ['93.184.216.34', false, null], ['2606:2800:220:1::1', false, null],
    ['127.0.0.1', false, /loopback/], ['::1', false, /loopback/], ['10.0.0.1', false, /private/], ['172.16.0.1', false, /private/],
    ['192.168.1.1', false, /private/], ['fc00::1', false, /uniqueLocal/], ['100.64.0.1', false, /carrierGradeNat/],
    ['0.0.0.0', false, /unspecified/], ['::ffff:10.0.0.1', false, /private/],
    ['127.0.0.1', true, null], ['10.0.0.1', true, null],
    ['169.254.169.254', true, /linkLocal/], ['fe80::1', true, /linkLocal/], ['fd00:ec2::254', true, /metadata/],
    ['100.100.100.200', true, /metadata/], ['224.0.0.1', true, /multicast/], ['255.255.255.255', true, /broadcast/],
  ] as const)('%s (private allowed: %s)', (address, allowPrivate, problem) => {
    const found = addressProblem(address, allowPrivate);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
  });

  it('refuses other schemes and credentials in the URL', () => {
    expect(urlFormProblem('https://example.com/hooks')).toBeNull();
    expect(urlFormProblem('gopher://example.com')).toMatch(/scheme/);
    expect(urlFormProblem('https://u@example.com')).toMatch(/credentials/);
    expect(urlFormProblem('/relative')).toMatch(/absolute/);
  });
});
