// Carriers: detection from tracking numbers (ts-tracking-number) and tracking links per carrier.
import { getTracking } from 'ts-tracking-number';

/** Public tracking pages, one per carrier code we render. */
const TRACKING_URLS: Record<string, (n: string) => string> = {
  ups: (n) => `https://www.ups.com/track?tracknum=${n}`,
  fedex: (n) => `https://www.fedex.com/apps/fedextrack/?tracknumbers=${n}&cntry_code=US`,
  usps: (n) => `https://tools.usps.com/go/TrackConfirmAction?tLabels=${n}`,
  dhl: (n) => `https://www.dhl.com/us-en/home/tracking/tracking-express.html?submit=1&tracking-id=${n}`,
  ontrac: (n) => `https://www.ontrac.com/tracking/?number=${n}`,
  amazon: (n) => `https://track.amazon.com/tracking/${n}`,
};

/** Lower-case carrier code (`ups`, `fedex`, `usps`, …) for a tracking number, or null when unknown. */
export function detectCarrier(trackingNumber: string): string | null {
  const found = getTracking(trackingNumber.replace(/\s+/g, ''));
  return found ? found.courier.code.toLowerCase() : null;
}

export function trackingUrl(carrier: string | null, trackingNumber: string): string | null {
  if (!carrier) return null;
  const build = TRACKING_URLS[carrier];
  return build ? build(encodeURIComponent(trackingNumber)) : null;
}
