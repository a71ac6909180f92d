// Which supplier a supplier's own name for itself means (domain/supplier-updates/snapshot.ts suppliersNamed): suppliers
// write their legal name in an X12 N1 or a CSV column ("MIZUNO USA, INC."), retailers keep a short one ("Mizuno").
import { describe, expect, it } from 'vitest';
import { suppliersNamed } from '../../src/domain/supplier-updates/snapshot.ts';

const ctx = {
  supplierNames: new Map([
    ['sup_mizuno', 'Mizuno'], ['sup_tm', 'TaylorMade'], ['sup_tmg', 'TaylorMade Golf'], ['sup_acu', 'Acushnet Company'],
    ['sup_cob', 'Cobra Puma'], ['sup_cob2', 'cobra puma '],
  ]),
  newId: (prefix: string) => `${prefix}_x`,
};
const named = (name: string) => suppliersNamed(name, ctx);

describe('suppliersNamed', () => {
  it('the same name, case and surrounding space aside (every supplier of that name)', () => {
    expect(named('  MIZUNO ')).toEqual(['sup_mizuno']);
    expect(named('Cobra Puma')).toEqual(['sup_cob', 'sup_cob2']);
  });
  it('a legal name: punctuation and legal-form or country words at the end left off, on either side', () => {
    expect(named('MIZUNO USA, INC.')).toEqual(['sup_mizuno']);
    expect(named('Mizuno Corporation')).toEqual(['sup_mizuno']);
    expect(named('ACUSHNET')).toEqual(['sup_acu']);
    expect(named('Acushnet Co.')).toEqual(['sup_acu']);
  });
  it('a longer name that starts with a supplier\'s: the longest such supplier, when it is the only one that long', () => {
    expect(named('TAYLORMADE GOLF COMPANY')).toEqual(['sup_tmg']);
    expect(named('TaylorMade Golf Equipment')).toEqual(['sup_tmg']);
    expect(named('TaylorMade-adidas')).toEqual(['sup_tm']);
  });
  it('nothing for a name that is not one of them, or only shares a legal word or a first word in the middle', () => {
    expect(named('Callaway Golf')).toEqual([]);
    expect(named('USA Inc')).toEqual([]);
    expect(named('Golf Mizuno')).toEqual([]);
    expect(named('')).toEqual([]);
    expect(named('Inc.')).toEqual([]);
  });
});
