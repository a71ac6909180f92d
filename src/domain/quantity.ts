// A quantity as a supplier writes it (a CSV cell, an X12 R element such as SN102 or PO102): the one reader, so both
// formats refuse a bad quantity in the same words (negative, zero, a fraction, an exponent, too large).
import { quoted } from './plain-text.ts';
import { MAX_QUANTITY } from './supplier-updates/types.ts';

export type Read<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const bad = (problem: string): Read<never> => ({ ok: false, problem });

/**
 * A quantity: a whole number from 1 to MAX_QUANTITY (the supplier-update schema's bound), read from its digits as
 * text, never through a float (`99999999999999999999` is quoted back as written): `12`, `1,200`, `3.0`. Each way of
 * being wrong says which: negative, zero, a fraction, misplaced thousands separators, an exponent, too large.
 */
export function readQuantity(text: string): Read<number> {
  const plain = text.replace(/\s+/g, '');
  const shown = quoted(text);
  if (/^-\d/.test(plain)) return bad(`${shown} is negative: a quantity must be a whole number of 1 or more`);
  if (/^\+?\d[\d,]*(\.\d+)?[eE][+-]?\d+$/.test(plain)) return bad(`${shown} is written with an exponent: write the quantity's digits`);
  if (/^[\d,]+\.\d*[1-9]\d*$/.test(plain)) return bad(`${shown} is not a whole number (a quantity counts units)`);
  // European grouping (`1.500,00`): dots group thousands, the comma marks decimals, which a quantity does not have.
  const european = /^([1-9]\d{0,2}(?:\.\d{3})+),(\d+)$/.exec(plain);
  if (european) {
    return bad(/^0+$/.test(european[2])
      ? `${shown} is written with a decimal comma: a quantity is a whole number, written without separators (${european[1].replace(/\./g, '')})`
      : `${shown} is not a whole number (a quantity counts units)`);
  }
  // Thousands are grouped from a first group of 1 to 3 digits that does not start with 0: `0,001` or `00,003` is a
  // decimal comma (a fraction), never one or three units.
  if (/^\d[\d,]*,[\d,]*(\.0*)?$/.test(plain) && !/^[1-9]\d{0,2}(,\d{3})+(\.0*)?$/.test(plain)) {
    return bad(`${shown} is not a whole number: a "," must group thousands (1,000,000); a quantity has no decimal comma`);
  }
  const digits = /^([1-9]\d{0,2}(?:,\d{3})+|\d+)(?:\.0*)?$/.exec(plain)?.[1].replace(/,/g, '');
  if (digits === undefined) return bad(`${shown} is not a whole number`);
  const value = BigInt(digits);
  if (value === 0n) return bad(`${shown} is zero: a quantity must be 1 or more`);
  if (value > BigInt(MAX_QUANTITY)) return bad(`${shown} is more than ${MAX_QUANTITY.toLocaleString('en-US')}, the most a line can have`);
  return ok(Number(value));
}

