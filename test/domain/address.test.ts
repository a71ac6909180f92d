// Addresses are rendered as one line (v2 shipping_address).
import { describe, expect, it } from 'vitest';
import { formatAddress } from '../../src/domain/address.ts';

describe('formatAddress', () => {
  it('joins every part in postal order', () => {
    expect(formatAddress({
      name: 'Jane Doe', company: 'Fairway Pro Shop', line1: '1 Main St', line2: 'Suite 2', city: 'Carlsbad', state: 'CA',
      postal_code: '92008', country: 'US',
    })).toBe('Jane Doe, Fairway Pro Shop, 1 Main St, Suite 2, Carlsbad, CA 92008, US');
  });

  it('leaves out missing, null and blank parts', () => {
    expect(formatAddress({ line1: '1 Main St', line2: null, city: 'Carlsbad', state: 'CA', postal_code: '92008' })).toBe('1 Main St, Carlsbad, CA 92008');
    expect(formatAddress({ name: '  ', line1: '1 Main St', city: 'Carlsbad', country: 'US' })).toBe('1 Main St, Carlsbad, US');
    expect(formatAddress({ city: 'Carlsbad', state: 'CA' })).toBe('Carlsbad, CA');
    expect(formatAddress({ postal_code: '92008' })).toBe('92008');
  });

  it('is null for no address or an empty one', () => {
    expect(formatAddress(null)).toBeNull();
    expect(formatAddress({})).toBeNull();
    expect(formatAddress({ name: '', line1: null })).toBeNull();
  });
});
