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
    ['0.0.0.0', true, /unspecified/], ['::', true, /unspecified/], ['192.0.2.1', true, /reserved/], ['2001:db8::1', true, /reserved/],
    ['fec0::1', true, /deprecatedSiteLocal/], ['ff02::1', true, /multicast/], ['::1', true, null], ['fc00::1', true, null],
    // IPv6 addresses carrying an IPv4 address are judged by it as well as by their own range.
    // IPv4-compatible ::/96 (deprecated; ipaddr.js 2.5 misreads the dotted form as IPv4-mapped, and calls ::a.b.c.d 'unicast').
    ['::127.0.0.1', false, /127\.0\.0\.1 is a loopback/], ['::7f00:1', false, /127\.0\.0\.1 is a loopback/],
    ['::169.254.169.254', true, /169\.254\.169\.254 is a linkLocal/], ['::a9fe:a9fe', true, /169\.254\.169\.254 is a linkLocal/],
    ['::10.0.0.1', true, /ipv4Compatible/], ['::10.0.0.1', false, /10\.0\.0\.1 is a private/], ['::93.184.216.34', false, /ipv4Compatible/],
    ['::100.100.100.200', true, /metadata/],
    // IPv4-mapped ::ffff:0:0/96: the IPv4 address alone (a dual-stack socket connects to it).
    ['::ffff:127.0.0.1', false, /loopback/], ['::ffff:127.0.0.1', true, null], ['::ffff:93.184.216.34', false, null],
    ['::ffff:169.254.169.254', true, /linkLocal/], ['::ffff:a9fe:a9fe', true, /linkLocal/], ['::ffff:100.100.100.200', true, /metadata/],
    // IPv4-translated ::ffff:0:0:0/96 (RFC 6145).
    ['::ffff:0:169.254.169.254', true, /169\.254\.169\.254 is a linkLocal/], ['::ffff:0:127.0.0.1', false, /loopback|rfc6145/],
    ['::ffff:0:10.0.0.1', true, null],
    // NAT64: 64:ff9b::/96 (RFC 6052) and the local-use 64:ff9b:1::/48 (RFC 8215).
    ['64:ff9b::169.254.169.254', true, /169\.254\.169\.254 is a linkLocal/], ['64:ff9b::127.0.0.1', false, /loopback/],
    ['64:ff9b::93.184.216.34', false, /rfc6052/], ['64:ff9b::10.0.0.1', true, null],
    ['64:ff9b:1::a9fe:a9fe', true, /169\.254\.169\.254 is a linkLocal/], ['64:ff9b:1::0.0.0.0', true, /unspecified/],
    // 6to4 2002::/16 (RFC 3056): the IPv4 address in bits 16-47.
    ['2002:a9fe:a9fe::1', true, /169\.254\.169\.254 is a linkLocal/], ['2002:7f00:1::1', false, /loopback/],
    ['2002:5db8:d822::1', false, /6to4/], ['2002:a00:1::1', true, null],
    // Teredo 2001::/32 (RFC 4380): the server in bits 32-63, the client inverted in the last 32 bits (RFC 4380's example is 192.0.2.45).
    ['2001:0:4136:e378:8000:63bf:5601:5601', true, /169\.254\.169\.254 is a linkLocal/],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', false, /127\.0\.0\.1 is a loopback/],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', true, /192\.0\.2\.45 is a reserved/],
    ['2001:0:a9fe:a9fe:8000:63bf:a2ff:fffe', true, /169\.254\.169\.254 is a linkLocal/],
    ['2001:0:4136:e378:8000:63bf:a247:27dd', false, /teredo/], ['2001:0:4136:e378:8000:63bf:f5ff:fffe', true, null],
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

  it.each([' https://example.com/hooks', 'https://example.com/hooks\n', 'https://exa\tmple.com/hooks', 'https://example.com/ho oks',
    'https://example.com/\u0000', 'https://example.com/\u0085'])('refuses %j: the parser would silently drop or keep what no one sees', (url) => {
    expect(urlFormProblem(url)).toMatch(/spaces, line breaks or control characters/);
  });

  it('names an IPv6 zone as the reason a URL is refused', () => {
    expect(urlFormProblem('http://[fe80::1%25eth0]/hooks')).toMatch(/IPv6 zone/);
    expect(urlFormProblem('https://example.com/a%20b')).toBeNull();
    expect(urlFormProblem('https://exämple.com/hooks')).toBeNull();
  });
});
