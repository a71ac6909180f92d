// Carrier-correct tracking numbers for generated data: the formats and check digits the carriers use,
// so that detection (domain/tracking.ts) recognises them as real numbers would be.

type Rng = () => number;

function digits(rng: Rng, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += Math.floor(rng() * 10);
  return out;
}

/** Mod-10 with weights 3,1 from the right (USPS IMpb, FedEx Ground 96…). */
function mod10Weighted31(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10;
}

/** UPS 1Z: letters count as (code − 63) mod 10, every second character doubled. */
function upsCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    const value = c >= '0' && c <= '9' ? Number(c) : (c.charCodeAt(0) - 63) % 10;
    sum += i % 2 === 1 ? value * 2 : value;
  }
  return (10 - (sum % 10)) % 10;
}

/** FedEx Express 12 digits: weights 1,3,7 from the right, mod 11, mod 10. */
function fedex12CheckDigit(body: string): number {
  const weights = [1, 3, 7];
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * weights[i % 3];
  return (sum % 11) % 10;
}

export function upsTrackingNumber(rng: Rng, shipperAccount: string): string {
  const body = shipperAccount + '03' + digits(rng, 7); // 6-char account, service 03 (Ground), package ref
  return `1Z${body}${upsCheckDigit(body)}`;
}

export function fedexTrackingNumber(rng: Rng): string {
  if (rng() < 0.5) {
    const body = digits(rng, 11);
    return body + fedex12CheckDigit(body);
  }
  const body = '96' + digits(rng, 12); // FedEx Ground, 15 digits
  return body + mod10Weighted31(body);
}

export function uspsTrackingNumber(rng: Rng): string {
  const body = '9400111' + digits(rng, 14); // IMpb, Priority Mail, 22 digits
  return body + mod10Weighted31(body);
}
