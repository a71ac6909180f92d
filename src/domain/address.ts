// Postal addresses are stored as JSON and rendered as one line for the read API.

export interface Address {
  name?: string | null;
  company?: string | null;
  line1?: string | null;
  line2?: string | null;
  city?: string | null;
  state?: string | null;
  postal_code?: string | null;
  country?: string | null;
}

/** `Jane Doe, 1 Main St, Suite 2, Carlsbad, CA 92008, US` — empty parts left out. */
export function formatAddress(address: Address | null): string | null {
  if (!address) return null;
  const cityLine = [address.city, [address.state, address.postal_code].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  const parts = [address.name, address.company, address.line1, address.line2, cityLine, address.country];
  const text = parts.filter((part) => part && part.trim() !== '').join(', ');
  return text === '' ? null : text;
}
