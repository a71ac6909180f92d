// Tracking numbers: the one normaliser (storage, comparison and URLs all use it), splitting a field that holds
// several numbers, carrier detection and tracking links. Detection asks our corrections table first (formats
// the library gets wrong or lacks: USPS 420+ZIP routing prefixes, IMpb numbers that several carriers print,
// DHL Paket / Deutsche Post, LaserShip), then `ts-tracking-number` (check digits included), kept behind this
// module so a better library can replace it.
import { allCouriers, getTracking } from 'ts-tracking-number';

/**
 * A tracking number as stored and compared: spaces, dashes and dots are formatting (`1Z-999-AA1-01-2345-6784`
 * is `1Z999AA10123456784`), letters are upper case.
 */
export function normalizeTrackingNumber(value: string): string {
  return value.replace(/[\s.\-\u2010-\u2015]+/g, '').toUpperCase();
}

/** Separators that list numbers (`a, b`; `a; b`; `a / b`; one per line). */
const LIST_SEPARATOR = /\s*[,;|/\n]\s*/;

/** Shortest part, normalised, that counts as a tracking number of its own between list separators. */
const MIN_LISTED_LENGTH = 8;
/** Shortest white-space-separated word that counts as a number of its own without a detected carrier. */
const MIN_WORD_LENGTH = 10;

/** A white-space-separated word that is a tracking number on its own: a detected carrier, or long enough. */
function standsAlone(word: string): boolean {
  return detectTracking(word).carrier !== null || normalizeTrackingNumber(word).length >= MIN_WORD_LENGTH;
}

/**
 * The tracking numbers one field holds, normalised: one for `1Z 999A A101 2345 6784` or `9400 1000 0000 0000
 * 0000 00` (spaces as formatting), two for `1Z…84, 1Z…93` (list separators) or `1Z…84 1Z…91` (white space
 * between words that each stand alone — a detected carrier or at least MIN_WORD_LENGTH characters — while the
 * words joined are not a number of a known format). Empty for blank. Callers refuse a field with several.
 */
export function splitTrackingNumbers(value: string): string[] {
  const listed = value.split(LIST_SEPARATOR).map((part) => part.trim()).filter((part) => part.length > 0);
  if (listed.length > 1 && listed.every((part) => normalizeTrackingNumber(part).length >= MIN_LISTED_LENGTH)) {
    return listed.flatMap((part) => splitTrackingNumbers(part));
  }
  const text = value.trim();
  if (text.length === 0) return [];
  const words = text.split(/\s+/);
  // White space between complete numbers separates them; inside one number (its joined form is known) it is formatting.
  if (words.length > 1 && words.every(standsAlone) && detectTracking(text).carrier === null) {
    return words.map(normalizeTrackingNumber);
  }
  return [normalizeTrackingNumber(text)];
}

export interface Detection {
  /** Lower-case carrier code whose tracking page accepts the number, or null when no format matches. */
  carrier: string | null;
  /** The number the carrier's page takes (a USPS 420+ZIP routing prefix removed). */
  number: string;
  /** Other carriers whose formats the number also fits (e.g. FedEx for a SmartPost IMpb), best first. */
  alternatives: string[];
  /** Which format matched (`usps-impb`, `dhl-paket`, …; the library's name otherwise). */
  format: string | null;
}

/** GS1 mod 10 (weights 3,1 from the right): USPS IMpb and SSCC-18 check digits. */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10;
}

const hasGs1Check = (n: string) => gs1CheckDigit(n.slice(0, -1)) === Number(n.at(-1));

/** UPU S10 (`EC123456785US`): weights 8,6,4,2,3,5,9,7; 11 − sum mod 11, 10 → 0, 11 → 5. */
function hasS10Check(n: string): boolean {
  const weights = [8, 6, 4, 2, 3, 5, 9, 7];
  const sum = weights.reduce((total, w, i) => total + w * Number(n[2 + i]), 0);
  const check = 11 - (sum % 11);
  return (check === 10 ? 0 : check === 11 ? 5 : check) === Number(n[10]);
}

/**
 * IMpb mailer-id prefixes of carriers that hand parcels to USPS for the last mile (FedEx SmartPost / Ground
 * Economy, UPS Mail Innovations / SurePost, DHL eCommerce): USPS's page tracks them, these are the alternatives.
 */
const IMPB_PARTNERS: [RegExp, string][] = [
  [/^92(61|02)29/, 'fedex'], [/^926129/, 'fedex'], [/^9274899/, 'ups'], [/^9274890/, 'ups'], [/^9(2|3)7486/, 'dhl'], [/^9374869/, 'dhl'],
  [/^9361289/, 'dhl'], [/^9261292/, 'fedex'],
];

/** Our corrections table, asked before the library: the first family that matches decides. */
const FAMILIES: { format: string; carrier: string; matches: (n: string) => boolean }[] = [
  // USPS Intelligent Mail package barcode: 20–22 digits, application identifier 91–95, GS1 check digit.
  { format: 'usps-impb', carrier: 'usps', matches: (n) => /^9[1-5]\d{18,20}$/.test(n) && hasGs1Check(n) },
  // DHL Paket: SSCC of Deutsche Post DHL (00 + GS1 company prefix 340434) and its JJD/JVGL piece codes.
  { format: 'dhl-paket', carrier: 'dhl', matches: (n) => /^00340434\d{12}$/.test(n) && hasGs1Check(n.slice(2)) },
  { format: 'dhl-paket', carrier: 'dhl', matches: (n) => /^JJD\d{15,22}$/.test(n) },
  // Other SSCC-18 labels (00 + 18 digits, GS1 check): FedEx Ground prints them; USPS's page does not take them.
  { format: 'fedex-sscc', carrier: 'fedex', matches: (n) => /^00\d{18}$/.test(n) && hasGs1Check(n.slice(2)) },
  // DHL eCommerce: GM + 16–22 digits, also printed as 420…/IMpb (then USPS above).
  { format: 'dhl-ecommerce', carrier: 'dhl', matches: (n) => /^GM\d{16,22}$/.test(n) },
  // UPU S10 letters and parcels: the origin post tracks them (US → USPS, DE → Deutsche Post, on DHL's page).
  { format: 'usps-s10', carrier: 'usps', matches: (n) => /^[A-Z]{2}\d{9}US$/.test(n) && hasS10Check(n) },
  { format: 'deutsche-post-s10', carrier: 'dhl', matches: (n) => /^[A-Z]{2}\d{9}DE$/.test(n) && hasS10Check(n) },
  // LaserShip (now OnTrac): 1LS + 10–16 letters or digits, or two letters L? + 8 digits.
  { format: 'lasership', carrier: 'lasership', matches: (n) => /^1LS[A-Z0-9]{10,16}$/.test(n) || /^L[AXSTY]\d{8}$/.test(n) },
  // UPS Mail Innovations' own labels: MI + 6-digit mailer id + package id.
  { format: 'ups-mail-innovations', carrier: 'ups', matches: (n) => /^MI\d{6}[A-Z0-9]{6,22}$/.test(n) },
];

/** USPS routing prefix: 420 + ZIP5 or ZIP9 in front of an IMpb (the length tells which). */
function withoutRoutingPrefix(n: string): string {
  const match = /^420(\d+)$/.exec(n);
  if (!match) return n;
  for (const zipLength of [5, 9]) {
    const rest = match[1].slice(zipLength);
    if (/^9[1-5]\d{18,20}$/.test(rest) && hasGs1Check(rest)) return rest;
  }
  return n;
}

/** The library's carriers for a number, in its own order (one look-up per courier: every match, not just the first). */
function libraryCarriers(n: string): { carrier: string; format: string }[] {
  const seen = new Set<string>();
  return allCouriers.flatMap((courier) => {
    const found = getTracking(n, [courier]);
    const carrier = found?.courier.code.toLowerCase();
    if (!found || !carrier || seen.has(carrier) || carrier === 's10') return [];
    seen.add(carrier);
    return [{ carrier, format: found.name }];
  });
}

/** Detections are pure: the last few thousand are kept (a sync page or a seed run asks about the same numbers). */
const detections = new Map<string, Detection>();
const MAX_REMEMBERED = 5000;

/**
 * Which carrier a tracking number belongs to, the number its page takes, and the other carriers whose
 * formats it also fits. Null carrier: no known format (a wrong check digit included).
 */
export function detectTracking(value: string): Detection {
  const normalized = normalizeTrackingNumber(value);
  const known = detections.get(normalized);
  if (known) return known;
  const detection = detect(normalized);
  if (detections.size >= MAX_REMEMBERED) detections.delete(detections.keys().next().value!);
  detections.set(normalized, detection);
  return detection;
}

function detect(normalized: string): Detection {
  const n = withoutRoutingPrefix(normalized);
  if (n.length === 0) return { carrier: null, number: n, alternatives: [], format: null };
  const library = libraryCarriers(n);
  const family = FAMILIES.find((f) => f.matches(n));
  if (family) {
    const partners = family.format === 'usps-impb' ? IMPB_PARTNERS.filter(([prefix]) => prefix.test(n)).map(([, c]) => c) : [];
    const alternatives = [...new Set([...partners, ...library.map((l) => l.carrier)])].filter((c) => c !== family.carrier);
    return { carrier: family.carrier, number: n, alternatives, format: family.format };
  }
  // 1Z numbers also fit the library's "Amazon International" pattern: UPS's page is the one that tracks them.
  const ranked = /^1Z/.test(n) ? [...library].sort((a, b) => Number(b.carrier === 'ups') - Number(a.carrier === 'ups')) : library;
  if (ranked.length === 0) return { carrier: null, number: n, alternatives: [], format: null };
  return { carrier: ranked[0].carrier, number: n, alternatives: ranked.slice(1).map((r) => r.carrier), format: ranked[0].format };
}

/** Lower-case carrier code (`ups`, `fedex`, `usps`, `dhl`, …) for a tracking number, or null when unknown. */
export function detectCarrier(trackingNumber: string): string | null {
  return detectTracking(trackingNumber).carrier;
}

/** Public tracking pages by carrier code; DHL's by the family of the number (Express, Paket, eCommerce). */
const TRACKING_URLS: Record<string, (n: string) => string> = {
  ups: (n) => `https://www.ups.com/track?tracknum=${n}`,
  fedex: (n) => `https://www.fedex.com/apps/fedextrack/?tracknumbers=${n}&cntry_code=US`,
  usps: (n) => `https://tools.usps.com/go/TrackConfirmAction?tLabels=${n}`,
  dhl: (n) => `https://www.dhl.com/us-en/home/tracking/tracking-express.html?submit=1&tracking-id=${n}`,
  ontrac: (n) => `https://www.ontrac.com/tracking/?number=${n}`,
  lasership: (n) => `https://www.ontrac.com/tracking/?number=${n}`,
  amazon: (n) => `https://track.amazon.com/tracking/${n}`,
};
const DHL_PAKET_URL = (n: string) => `https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=${n}`;
const DHL_ECOMMERCE_URL = (n: string) => `https://webtrack.dhlecs.com/orders?trackingNumber=${n}`;

/**
 * The carrier's public tracking page for a number (normalised, a USPS routing prefix removed), or null without
 * a carrier or for one we have no page for.
 */
export function trackingUrl(carrier: string | null, trackingNumber: string): string | null {
  if (!carrier) return null;
  const build = TRACKING_URLS[carrier];
  if (!build) return null;
  const normalized = normalizeTrackingNumber(trackingNumber);
  // USPS's page takes the number without its routing prefix; only DHL (one page per family) needs the format.
  if (carrier === 'usps') return build(encodeURIComponent(withoutRoutingPrefix(normalized)));
  if (carrier !== 'dhl') return build(encodeURIComponent(normalized));
  const detection = detectTracking(normalized);
  const n = encodeURIComponent(detection.carrier === carrier ? detection.number : normalized);
  if (carrier === 'dhl' && detection.carrier === 'dhl') {
    if (detection.format === 'dhl-paket' || detection.format === 'deutsche-post-s10') return DHL_PAKET_URL(n);
    if (detection.format === 'dhl-ecommerce' || detection.format === 'DHL E-Commerce') return DHL_ECOMMERCE_URL(n);
  }
  return build(n);
}
