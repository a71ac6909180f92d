// SCAC (Standard Carrier Alpha Code, TD503 of an 856) → our lower-case carrier codes (DESIGN 3: a SCAC goes
// through this table, never through tracking-number detection). No maintained npm package carries the NMFTA
// list, so the parcel carriers suppliers name in ship notices are listed here; anything else is null and the
// pipeline detects the carrier from the tracking number instead.
const SCAC_CARRIERS: Record<string, string> = {
  // UPS: ground/parcel and the supply-chain and mail-innovations codes.
  UPSN: 'ups', UPSS: 'ups', UPSC: 'ups', UPSM: 'ups',
  // FedEx: Express, Ground, Home Delivery, SmartPost, Freight, Custom Critical.
  FDE: 'fedex', FDX: 'fedex', FDXE: 'fedex', FDXG: 'fedex', FDEG: 'fedex', FDEN: 'fedex', FDXH: 'fedex', FXSP: 'fedex',
  FXFE: 'fedex', FXFW: 'fedex', FXNL: 'fedex', FDCC: 'fedex',
  USPS: 'usps',
  DHL: 'dhl', DHLC: 'dhl', DHLG: 'dhl', DHLE: 'dhl',
  EMSY: 'ontrac', ONTC: 'ontrac',
  LSHP: 'lasership', LASR: 'lasership',
  AMZL: 'amazon', AMZN: 'amazon',
};

/** The carrier code (`ups`, `fedex`, `usps`, `dhl`, `ontrac`, `lasership`, `amazon`) of a SCAC, null when unknown. */
export function carrierOfScac(scac: string): string | null {
  return SCAC_CARRIERS[scac.trim().toUpperCase()] ?? null;
}
