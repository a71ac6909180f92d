// The element at fault in a refused X12 set, as the 997 reports it (AK3/AK4, X12.6) and as a result's reason names it.
import type { X12Fault, X12Place } from '../types.ts';

/**
 * `place` as the element at fault, with the AK403 code (element 723) its value earns: 1 when empty; for a numeric
 * element, 6 when it has a character a count or amount cannot (a sign, a letter, a fraction of a unit), 5 when it is
 * longer than the element may be; otherwise 7 (a value the element cannot take here: zero units, a part or
 * currency code we do not know, a quantity beyond the order).
 */
export function faultAt(place: X12Place): X12Fault {
  const value = place.value;
  let code = 7;
  if (value === '') code = 1;
  else if (place.maxDigits !== undefined) {
    const digits = value.replace(/^0+(?=\d)/, '').replace('.', '');
    if (!/^\d*\.?\d*$/.test(value) || /\.\d*[1-9]/.test(value)) code = 6;
    else if (digits.length > place.maxDigits) code = 5;
  }
  return { ...place, code };
}

/**
 * The element an update field came from, as the fault: `field` as a rejection names it (`lines[0].quantity`, or
 * with the problem path in front: `ST 0002 (856).lines[0].quantity`), looked up in the entry's `origin`, then its
 * enclosing fields (`lines[0]` → nothing, so null). Null when the field came from no one element.
 */
export function faultOfField(origin: Readonly<Record<string, X12Place>> | null | undefined, field: string): X12Fault | null {
  if (!origin) return null;
  for (const key of Object.keys(origin)) {
    if (field === key || field.endsWith(`.${key}`)) return faultAt(origin[key]);
  }
  return null;
}

/** How a person finds the element in its set: `SN102 "-3" (HL 4)`. */
export function describePlace(place: X12Place): string {
  const name = `${place.segment}${String(place.element).padStart(2, '0')}`;
  return `${name} "${place.value}"${place.label ? ` (${place.label})` : ''}`;
}
