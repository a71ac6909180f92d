// Carrier detection from tracking numbers: the numbers the seed generates are recognised as their carrier's.
import { describe, expect, it } from 'vitest';
import { detectCarrier, trackingUrl } from '../../src/domain/tracking.ts';
import { fedexTrackingNumber, upsTrackingNumber, uspsTrackingNumber } from '../../src/seed/tracking-numbers.ts';

function rngFrom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

describe('generated tracking numbers are detected as their carrier', () => {
  const rng = rngFrom(12345);
  const ups = Array.from({ length: 300 }, (_, i) => upsTrackingNumber(rng, ['8A2V41', '4F7K22', '5P1N67'][i % 3]));
  const fedex = Array.from({ length: 300 }, () => fedexTrackingNumber(rng));
  const usps = Array.from({ length: 300 }, () => uspsTrackingNumber(rng));

  it('UPS: 1Z + 16 characters', () => {
    for (const n of ups) {
      expect(n).toMatch(/^1Z[0-9A-Z]{16}$/);
      expect(detectCarrier(n), n).toBe('ups');
    }
  });

  it('FedEx: 12 or 15 digits, both kinds generated', () => {
    for (const n of fedex) {
      expect(n).toMatch(/^(\d{12}|\d{15})$/);
      expect(detectCarrier(n), n).toBe('fedex');
    }
    expect(new Set(fedex.map((n) => n.length))).toEqual(new Set([12, 15]));
  });

  it('USPS: 22 digits', () => {
    for (const n of usps) {
      expect(n).toMatch(/^\d{22}$/);
      expect(detectCarrier(n), n).toBe('usps');
    }
  });

  it('a wrong check digit is not taken for a valid number', () => {
    const n = ups[0];
    const wrong = n.slice(0, -1) + String((Number(n.at(-1)) + 1) % 10);
    expect(detectCarrier(wrong)).not.toBe('ups');
  });
});

describe('detectCarrier', () => {
  it('ignores spaces and gives null for what no carrier uses', () => {
    const n = upsTrackingNumber(rngFrom(7), '8A2V41');
    expect(detectCarrier(`${n.slice(0, 6)} ${n.slice(6, 12)} ${n.slice(12)}`)).toBe('ups');
    expect(detectCarrier('hello')).toBeNull();
    expect(detectCarrier('')).toBeNull();
  });
});

describe('trackingUrl', () => {
  it('builds an absolute https link holding the number for each carrier rendered', () => {
    for (const carrier of ['ups', 'fedex', 'usps', 'dhl']) {
      const url = trackingUrl(carrier, '1234567890');
      expect(url, carrier).toMatch(/^https:\/\//);
      expect(url).toContain('1234567890');
    }
    expect(trackingUrl('fedex', '123456789012')).toBe('https://www.fedex.com/apps/fedextrack/?tracknumbers=123456789012&cntry_code=US');
  });

  it('is null without a carrier or for an unknown one', () => {
    expect(trackingUrl(null, '1234')).toBeNull();
    expect(trackingUrl('pigeon', '1234')).toBeNull();
  });

  it('normalises and escapes the number', () => {
    expect(trackingUrl('ups', 'a b&c')).toContain('AB%26C');
  });
});
