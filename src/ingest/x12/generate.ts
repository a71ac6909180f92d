// A large, realistic 856 file for the ingest benchmark (issue 7: "a 10 MB 856 with ≈ 20,000 shipments") and the
// reader's bounded-memory test. One interchange, one SH group, one transaction set per shipment, alternating the
// two structures suppliers send: pick-pack S/O/P/I (tracking in MAN*CP) and S/O/I (tracking in REF*CN), each
// with ship-from/ship-to addresses, carrier SCAC, dates and one to three items. Deterministic for a seed.
import { SUPPLIERS } from '../../seed/catalog.ts';
import { prng } from '../../seed/prng.ts';
import { fedexTrackingNumber, upsTrackingNumber } from '../../seed/tracking-numbers.ts';

export interface Generate856Options {
  /** The PO number of shipment `index` (0-based); default `PO-1000001`, `PO-1000002`, … */
  poNumber?: (index: number) => string;
  /** Seed of the generated data (tracking numbers, items, quantities). Default 1. */
  seed?: number;
}

const ISA_DATE = '261120';
const pad = (value: string, width: number) => value.padEnd(width, ' ');

/**
 * The text of an 856 file with `shipments` transaction sets, each one shipment (one tracking number, one PO):
 * reading it yields exactly `shipments` entries. About 565 bytes per shipment (20,000 → 11.3 MB).
 * Segments end with `~` and a newline. Items come from the seed catalog (src/seed/catalog.ts).
 */
export function generate856(shipments: number, options: Generate856Options = {}): string {
  const rng = prng(options.seed ?? 1);
  const poNumber = options.poNumber ?? ((i: number) => `PO-${String(1_000_001 + i)}`);
  const out: string[] = [];
  const used = new Set<string>();
  const segment = (...elements: (string | number)[]) => out.push(`${elements.join('*')}~\n`);
  segment('ISA', '00', pad('', 10), '00', pad('', 10), 'ZZ', pad('GOLFSUPPLIER', 15), 'ZZ', pad('ORDERSYNC', 15), ISA_DATE, '0600', 'U',
    '00401', '000000001', '0', 'P', '>');
  segment('GS', 'SH', 'GOLFSUPPLIER', 'ORDERSYNC', `20${ISA_DATE}`, '0600', 1, 'X', '004010');
  for (let i = 0; i < shipments; i++) {
    const start = out.length;
    const control = String(i + 1).padStart(4, '0');
    const supplier = SUPPLIERS[i % SUPPLIERS.length];
    const pickPack = i % 2 === 0;
    const ups = rng() < 0.6;
    let tracking: string;
    // Random numbers can repeat; each shipment needs its own.
    do tracking = ups ? upsTrackingNumber(rng, supplier.upsAccount) : fedexTrackingNumber(rng);
    while (used.has(tracking));
    used.add(tracking);
    const day = String(1 + (i % 28)).padStart(2, '0');
    segment('ST', '856', control);
    segment('BSN', '00', `ASN${String(i + 1).padStart(8, '0')}`, `202611${day}`, '1430', '0001');
    segment('HL', 1, '', 'S');
    segment('TD1', 'CTN25', 1, '', '', '', 'G', (2 + rng() * 30).toFixed(1), 'LB');
    segment('TD5', 'B', 2, ups ? 'UPSN' : 'FDEG', 'U', ups ? 'UPS GROUND' : 'FEDEX GROUND');
    segment('REF', 'BM', `BOL${String(i + 1).padStart(9, '0')}`);
    if (!pickPack) segment('REF', 'CN', tracking);
    segment('DTM', '011', `202611${day}`, '1430', 'ET');
    segment('DTM', '017', `202612${day}`);
    segment('N1', 'SF', supplier.name.toUpperCase(), 92, '0100');
    segment('N3', supplier.address.line1 ?? '1 Main St');
    segment('N4', supplier.address.city ?? 'Carlsbad', supplier.address.state ?? 'CA', supplier.address.postal_code ?? '92008', 'US');
    segment('N1', 'ST', 'FAIRWAY PRO SHOP', 92, String(40 + (i % 7)).padStart(4, '0'));
    segment('N3', '1 FAIRWAY DR');
    segment('N4', 'CARLSBAD', 'CA', '92008', 'US');
    segment('HL', 2, 1, 'O');
    segment('PRF', poNumber(i), '', '', `202610${day}`);
    segment('REF', 'VN', `${supplier.orderIdPrefix}${String(500_000 + i)}`);
    let hl = 2;
    let parent = 2;
    if (pickPack) {
      segment('HL', ++hl, 2, 'P');
      segment('MAN', 'CP', tracking);
      parent = hl;
    }
    const items = 1 + Math.floor(rng() * 3);
    for (let n = 0; n < items; n++) {
      const product = supplier.products[(i + n * 5) % supplier.products.length];
      segment('HL', ++hl, parent, 'I');
      segment('LIN', n + 1, 'BP', product.sku, 'VP', product.supplierSku);
      segment('SN1', n + 1, 1 + Math.floor(rng() * 4), 'EA');
    }
    segment('CTT', hl);
    segment('SE', out.length - start + 1, control);
  }
  segment('GE', shipments, 1);
  segment('IEA', 1, '000000001');
  return out.join('');
}
