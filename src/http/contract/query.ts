/**
 * Query parameters as zod schemas. A value comes as text from the query string or typed from a
 * JSON body; these schemas accept both (`true`, `"true"` and `"1"` are one flag). A list schema is
 * a repeatable parameter (`host=a&host=b`), an optional one may be left out.
 */
import { z } from 'zod';

const fromText = (decode: (text: string) => unknown) => (v: unknown) => (typeof v === 'string' ? decode(v) : v);

const FLAGS: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };

/** A non-empty string. */
export const text = (description?: string) => {
  const s = z.string().min(1);
  return description ? s.describe(description) : s;
};

/** true / false (also 1 / 0). */
export const flag = (description: string) =>
  z
    .preprocess(
      fromText((t) => FLAGS[t] ?? t),
      z.boolean(),
    )
    .describe(description);

const numeric = (t: string) => (t.trim() === '' ? t : Number(t));

/** A number, within inclusive bounds. */
export const number = (description: string, bounds: { min?: number; max?: number } = {}) => {
  let n = z.number();
  if (bounds.min !== undefined) n = n.min(bounds.min);
  if (bounds.max !== undefined) n = n.max(bounds.max);
  return z.preprocess(fromText(numeric), n).describe(description);
};

/** An integer, within inclusive bounds. */
export const integer = (description: string, bounds: { min?: number; max?: number } = {}) => {
  let n = z.int();
  if (bounds.min !== undefined) n = n.min(bounds.min);
  if (bounds.max !== undefined) n = n.max(bounds.max);
  return z.preprocess(fromText(numeric), n).describe(description);
};

/** One of the given strings. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, description?: string) =>
  description ? z.enum(values).describe(description) : z.enum(values);

/** A repeatable parameter: every value is checked by `item`. */
export const list = <T extends z.ZodType>(item: T, description: string) => z.array(item).describe(description);

/** The query (and JSON body) of one operation: parameter name to schema. */
export const params = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape);
export type ParamsSchema = z.ZodObject<z.ZodRawShape>;

/** How a parameter is read: its single-value schema, whether it repeats, whether it is required. */
export function paramShape(schema: z.ZodType): { item: z.ZodType; repeatable: boolean; required: boolean } {
  const required = !(schema instanceof z.ZodOptional);
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  if (inner instanceof z.ZodArray) return { item: inner.element as z.ZodType, repeatable: true, required };
  return { item: inner, repeatable: false, required };
}
