// Small TypeBox helpers shared by the route schemas.
import { Type, type TSchema } from 'typebox';

/** A string from a fixed list: `{type: "string", enum: [...]}` with the list's literal type. */
export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** The schema or null. */
export function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}
