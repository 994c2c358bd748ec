/**
 * A fast pass for a zod schema: compiles the schema's own definition into straight-line
 * JavaScript that either accepts a document (returning what zod would return: defaults applied,
 * unknown keys dropped) or declines it. Declining says nothing about why: the caller then asks
 * zod itself, which reports every issue with its path and message. So the rules live in the zod
 * schema only and the messages are zod's; this pass merely skips zod's per-value bookkeeping on
 * the (common) valid document, which is most of the cost on a 100k-instance region.
 *
 * Only the constructs the inventory schemas use are compiled; anything else throws at compile
 * time, so a schema change can never make the fast pass accept what zod would reject.
 */
import type { z } from 'zod';

/** What generated code returns for a value zod would reject (the caller re-runs zod). */
const DECLINE: unique symbol = Symbol('decline');

interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  coerce?: boolean;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  entries?: Record<string, string | number>;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
}

interface CheckDef {
  check: string;
  format?: string;
  value?: unknown;
  inclusive?: boolean;
  minimum?: unknown;
}

function unsupported(what: string): never {
  throw new Error(`fast schema: unsupported ${what}`);
}

/** A finite number literal for generated code; anything else is not a bound this pass understands. */
function literal(n: unknown): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return unsupported(`bound ${String(n)}`);
  return String(n);
}

/** Generated code: one function per object or array schema, in a table the functions share. */
class Compiler {
  constructor(private readonly inPlace: boolean) {}

  readonly functions: string[] = [];
  /** Values the generated code refers to (enum sets, non-primitive defaults). */
  readonly constants: unknown[] = [];

  constant(value: unknown): string {
    this.constants.push(value);
    return `c[${this.constants.length - 1}]`;
  }

  /** Statements that check the value in `x` and leave zod's output for it in `x`, or return D. */
  value(schema: z.ZodType): string {
    const def = schema._zod.def as unknown as Def;
    if (def.coerce) unsupported('coercion');
    const checks = (def.checks ?? []).map((c) => c._zod.def);
    if (checks.length && def.type !== 'number' && def.type !== 'string') unsupported(`checks on ${def.type}`);
    switch (def.type) {
      case 'number':
        return `if (typeof x !== 'number' || !Number.isFinite(x)${checks.map(numberTest).join('')}) return D;`;
      case 'string':
        return `if (typeof x !== 'string'${checks.map(stringTest).join('')}) return D;`;
      case 'boolean':
        return `if (typeof x !== 'boolean') return D;`;
      case 'enum':
        return `if (!${this.constant(new Set(Object.values(def.entries ?? {})))}.has(x)) return D;`;
      case 'object':
        return `x = ${this.object(def)}(x); if (x === D) return D;`;
      case 'array':
        return `x = ${this.array(def)}(x); if (x === D) return D;`;
      case 'optional':
        return `if (x !== undefined) { ${this.value(def.innerType as z.ZodType)} }`;
      case 'nullable':
        return `if (x !== null) { ${this.value(def.innerType as z.ZodType)} }`;
      case 'default':
        return `if (x === undefined) x = ${this.defaultOf(def)}; else { ${this.value(def.innerType as z.ZodType)} }`;
      default:
        return unsupported(`schema type "${def.type}"`);
    }
  }

  /** zod evaluates a default on every use (a fresh array for `.default([])`); primitives inline. */
  private defaultOf(def: Def): string {
    const v = def.defaultValue;
    if (typeof v === 'boolean' || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))
      return JSON.stringify(v);
    return `${this.constant(() => def.defaultValue)}()`;
  }

  private add(body: string): string {
    this.functions.push(`function f${this.functions.length}(v) { ${body} }`);
    return `f${this.functions.length - 1}`;
  }

  private object(def: Def): string {
    if (def.catchall) unsupported('object catchall');
    const keys = Object.keys(def.shape ?? {});
    const isObject = `if (typeof v !== 'object' || v === null || Array.isArray(v)) return D; let x;`;
    const read = (key: string, schema: z.ZodType) => `x = v[${JSON.stringify(key)}]; ${this.value(schema)}`;
    const fields = Object.entries(def.shape ?? {});
    if (!this.inPlace) {
      const body = fields.map(([k, s]) => `${read(k, s)} if (x !== undefined) o[${JSON.stringify(k)}] = x;`);
      return this.add(`${isObject} const o = {}; ${body.join(' ')} return o;`);
    }
    // In place: complete `v` itself; only an object with keys outside the shape is copied (zod drops them).
    const body = fields.map(
      ([k, s]) =>
        `${read(k, s)} if (x !== undefined) { n++; if (x !== v[${JSON.stringify(k)}]) v[${JSON.stringify(k)}] = x; }`,
    );
    const known = this.constant(keys);
    const copy = `const o = {}; for (const k of ${known}) if (v[k] !== undefined) o[k] = v[k]; return o;`;
    return this.add(
      `${isObject} let n = 0; ${body.join(' ')} let m = 0; for (const k in v) m++; if (m === n) return v; ${copy}`,
    );
  }

  private array(def: Def): string {
    const element = this.value(def.element as z.ZodType);
    const item = this.add(`let x = v; ${element} return x;`);
    const store = this.inPlace ? 'if (x !== v[k]) v[k] = x;' : 'out[k] = x;';
    const out = this.inPlace ? 'const out = v;' : 'const out = new Array(v.length);';
    const loop = `for (let k = 0; k < v.length; k++) { const x = ${item}(v[k]); if (x === D) return D; ${store} }`;
    return this.add(`if (!Array.isArray(v)) return D; ${out} ${loop} return out;`);
  }
}

function numberTest(c: CheckDef): string {
  if (c.check === 'number_format' && c.format === 'safeint') return ' || !Number.isSafeInteger(x)';
  if (c.check === 'greater_than') return ` || !(x ${c.inclusive ? '>=' : '>'} ${literal(c.value)})`;
  if (c.check === 'less_than') return ` || !(x ${c.inclusive ? '<=' : '<'} ${literal(c.value)})`;
  return unsupported(`number check "${c.check}"${c.format ? ` (${c.format})` : ''}`);
}

function stringTest(c: CheckDef): string {
  if (c.check === 'min_length') return ` || x.length < ${literal(c.minimum)}`;
  return unsupported(`string check "${c.check}"`);
}

export interface FastParserOptions {
  /**
   * Complete the value in place (defaults written into it) and return it, copying only objects
   * with keys outside the schema; for a document the caller owns, such as one it just parsed.
   * Otherwise the output is a fresh copy, as zod's is. @default false
   */
  inPlace?: boolean;
}

/**
 * Compiles `schema` into a function returning zod's output for a value zod accepts, or
 * `undefined` when the value should go to zod for its error report. It may decline a value zod
 * would accept (never the other way round), so callers fall back to zod, not to an error.
 */
export function compileFastParser<S extends z.ZodType>(
  schema: S,
  options: FastParserOptions = {},
): (value: unknown) => z.output<S> | undefined {
  const compiler = new Compiler(options.inPlace ?? false);
  const root = compiler.value(schema);
  const source = `${compiler.functions.join('\n')}\nreturn function parse(v) { let x = v; ${root} return x; };`;
  const parse = new Function('D', 'c', source)(DECLINE, compiler.constants) as (v: unknown) => unknown;
  return (value) => {
    const r = parse(value);
    return r === DECLINE ? undefined : (r as z.output<S>);
  };
}
