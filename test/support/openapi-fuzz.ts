
/**
 * Requests for every operation of an OpenAPI 3.1 document: valid ones generated from the
 * schemas, boundary ones, and malformed ones (wrong types, numbers past 2^53, four-decimal
 * quantities, NUL and right-to-left characters, 1 MiB strings, extra and missing fields, broken
 * JSON, wrong content types). Generation is driven by a seeded random source so a failure replays.
 */

type Schema = Record<string, any>;

export interface Operation {
  method: string;
  path: string;
  parameters: Array<{ name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: Schema }>;
  body: Schema | null;
  bodyRequired: boolean;
  responses: Record<string, Schema | undefined>;
  /** Every status the document gives a response for, with or without a body. */
  documented: Set<string>;
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  kind: string;
}

export function operationsOf(doc: Schema): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<Schema>(doc.paths)) {
    for (const [method, op] of Object.entries<Schema>(item)) {
      if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
      const body = op.requestBody?.content?.['application/json']?.schema ?? null;
      const responses: Record<string, Schema | undefined> = {};
      for (const [status, r] of Object.entries<Schema>(op.responses ?? {})) responses[status] = r?.content?.['application/json']?.schema;
      ops.push({ method: method.toUpperCase(), path, parameters: op.parameters ?? [], body, bodyRequired: Boolean(op.requestBody?.required), responses, documented: new Set(Object.keys(op.responses ?? {})) });
    }
  }
  return ops;
}

export class SchemaResolver {
  constructor(private readonly doc: Schema) {}
  resolve(schema: Schema): Schema {
    let s = schema;
    for (let i = 0; s && typeof s.$ref === 'string' && i < 20; i += 1) {
      const name = s.$ref.replace('#/components/schemas/', '');
      s = this.doc.components.schemas[name];
    }
    return s ?? {};
  }
}

/** Fields of which a request names exactly one, by rules (zod refinements) the JSON Schema does not carry. */
const exclusiveGroups = [
  ['purchase_order_line_id', 'item_id', 'sku', 'barcode'],
  ['sale_id', 'order_id'],
  ['amount', 'percent'],
];

const weird = ['\u0000', '\u202e', '\u200f', '\ud83d\ude00', '\uFEFF', "'; drop table items; --", '%', '_', '\\', '../..', '<script>'];

/** A small seeded generator (mulberry32): the same seed gives the same requests. */
export class SeededRandom {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  nextDouble(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  nextInt(min: number, max: number): number {
    return min + Math.floor(this.nextDouble() * (max - min + 1));
  }
}

/** Ids that exist, by prefix, so generated requests reach the code behind the 404s. */
export type IdPool = Record<string, string[]>;

export class Generator {
  constructor(
    private readonly resolver: SchemaResolver,
    private readonly ids: IdPool,
    private readonly rng: SeededRandom,
  ) {}

  int(min: number, max: number): number {
    return this.rng.nextInt(min, max);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(0, list.length - 1)]!;
  }
  chance(p: number): boolean {
    return this.rng.nextDouble() < p;
  }

  /** A value that satisfies the schema (as far as plain JSON Schema can say). */
  valid(input: Schema, depth = 0): unknown {
    const schema = this.resolver.resolve(input);
    if (schema.const !== undefined) return schema.const;
    if (schema.enum) return this.pick(schema.enum);
    const choices = schema.anyOf ?? schema.oneOf;
    if (choices) return this.valid(this.pick(choices), depth);
    if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s: Schema) => this.valid(s, depth)));
    const type = Array.isArray(schema.type) ? this.pick(schema.type.filter((t: string) => t !== 'null')) : schema.type;
    switch (type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        const required: string[] = schema.required ?? [];
        for (const [key, sub] of Object.entries<Schema>(schema.properties ?? {})) {
          if (required.includes(key) || (depth < 3 && this.chance(0.5))) out[key] = this.valid(sub, depth + 1);
        }
        return out;
      }
      case 'array': {
        const min = schema.minItems ?? 0;
        const max = Math.min(schema.maxItems ?? 3, min + 3);
        return Array.from({ length: this.int(min, Math.max(min, max)) }, () => this.valid(schema.items ?? {}, depth + 1));
      }
      case 'integer':
        return this.int(Math.max(schema.minimum ?? -1000, -1e6), Math.min(schema.maximum ?? 1000, 1e6));
      case 'number': {
        const n = this.int(0, 10_000) / this.pick([1, 10, 100, 1000]);
        return this.chance(0.2) ? -n : n;
      }
      case 'boolean':
        return this.chance(0.5);
      case 'string':
        return this.string(schema);
      case 'null':
        return null;
      default:
        return this.pick(['x', 1, true, null]);
    }
  }

  string(schema: Schema): string {
    const pattern: string | undefined = schema.pattern;
    const prefix = pattern ? /^\^([a-z]{2,4})_/.exec(pattern)?.[1] : undefined;
    if (prefix) {
      const known = this.ids[prefix] ?? [];
      return known.length && this.chance(0.8) ? this.pick(known) : `${prefix}_FUZZ${this.int(0, 1e6)}`;
    }
    if (schema.format === 'date-time') return new Date(Date.UTC(2026, this.int(0, 10), this.int(1, 28), this.int(0, 23))).toISOString();
    if (schema.format === 'date') return `2027-0${this.int(1, 9)}-1${this.int(0, 9)}`;
    if (pattern?.includes('[A-Z]{3}')) return this.pick(['USD', 'EUR', 'GBP']);
    if (pattern && /\\d|\[0-9\]/.test(pattern) && /\.\\d/.test(pattern)) return `${this.int(0, 999)}.${this.int(0, 99)}`;
    const max = Math.min(schema.maxLength ?? 20, 40);
    const min = Math.min(schema.minLength ?? 1, max);
    const length = this.int(min, Math.max(min, max));
    let out = '';
    for (let i = 0; i < length; i += 1) out += String.fromCharCode(this.int(97, 122));
    if (pattern && !new RegExp(pattern).test(out)) out = this.pick(['A1', 'ABC-1', 'X', 'case', 'ea', '0.5', '12']);
    return out;
  }

  #serial = 0;

  /** The id prefix a pattern asks for: `^po_…` gives `po`; `^(sll|orl)_…` one of those that has ids. */
  idPrefixOf(pattern: string): string | undefined {
    const single = /^\^([a-z]{2,4})_/.exec(pattern)?.[1];
    if (single) return single;
    const alternatives = /^\^\(([a-z]{2,4}(?:\|[a-z]{2,4})+)\)_/.exec(pattern)?.[1]?.split('|');
    if (!alternatives) return undefined;
    const known = alternatives.filter((p) => this.ids[p]?.length);
    return this.pick(known.length ? known : alternatives);
  }

  /**
   * A value a shop could really send: the required fields and some optional ones, small positive
   * quantities, money as "1.00", ids that exist, dates just past, names and codes no other request
   * used. The field's name is the hint where the schema says only "string". Writes built this way
   * can succeed, which random valid-by-schema values (negative quantities, letters for money)
   * almost never do.
   */
  plausible(input: Schema, key = '', depth = 0): unknown {
    const schema = this.resolver.resolve(input);
    if (schema.const !== undefined) return schema.const;
    if (schema.enum) return this.pick(schema.enum);
    const choices: Schema[] | undefined = schema.anyOf ?? schema.oneOf;
    if (choices) {
      const concrete = choices.filter((c) => this.resolver.resolve(c).type !== 'null');
      return this.plausible(this.pick(concrete.length ? concrete : choices), key, depth);
    }
    if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s: Schema) => this.plausible(s, key, depth)));
    const types: string[] = Array.isArray(schema.type) ? schema.type.filter((t: string) => t !== 'null') : [schema.type];
    switch (this.pick(types)) {
      case 'object': {
        const out: Record<string, unknown> = {};
        const required: string[] = schema.required ?? [];
        const properties = Object.keys(schema.properties ?? {});
        // "Exactly one of" rules JSON Schema cannot show: keep one field of each such group (mostly the first).
        const excluded = new Set<string>();
        for (const group of exclusiveGroups) {
          const present = group.filter((name) => properties.includes(name) && !required.includes(name));
          if (present.length < 2) continue;
          const keep = this.chance(0.7) ? present[0]! : this.pick(present);
          for (const name of present) if (name !== keep) excluded.add(name);
          out[keep] = this.plausible(schema.properties[keep], keep, depth + 1);
        }
        for (const [name, sub] of Object.entries<Schema>(schema.properties ?? {})) {
          if (excluded.has(name) || name in out) continue;
          if (required.includes(name) || (depth < 2 && this.chance(0.3))) out[name] = this.plausible(sub, name, depth + 1);
        }
        // A change with nothing in it is refused; send at least one field.
        const optional = properties.filter((name) => !excluded.has(name));
        if (Object.keys(out).length === 0 && optional.length) {
          const name = this.pick(optional);
          out[name] = this.plausible(schema.properties[name], name, depth + 1);
        }
        return out;
      }
      case 'array': {
        const min = Math.max(schema.minItems ?? 0, 1);
        const max = Math.min(schema.maxItems ?? 2, 2);
        return Array.from({ length: this.int(Math.min(min, max), Math.max(min, max)) }, () => this.plausible(schema.items ?? {}, key, depth + 1));
      }
      case 'integer':
      case 'number': {
        const min = Math.max(schema.minimum ?? 1, schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
        const max = Math.min(schema.maximum ?? 3, schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 3);
        return max >= min ? this.int(min, max) : (schema.minimum ?? 0);
      }
      case 'boolean':
        return this.chance(0.5);
      case 'string':
        return this.plausibleString(schema, key);
      default:
        return null;
    }
  }

  plausibleString(schema: Schema, key: string): string {
    const pattern: string | undefined = schema.pattern;
    const prefix = pattern ? this.idPrefixOf(pattern) : undefined;
    // A field named for a site takes a site's id: most locations are bins, which such a field refuses.
    const known = prefix === 'loc' && /site_id/.test(key) && this.ids['loc:site']?.length ? this.ids['loc:site'] : prefix ? this.ids[prefix] : undefined;
    if (prefix) return known?.length ? this.pick(known) : `${prefix}_NONE`;
    this.#serial += 1;
    const serial = `${this.int(0, 1e6)}${this.#serial}`;
    if (schema.format === 'date-time') return new Date(Date.now() - this.int(1, 48) * 3_600_000).toISOString();
    if (schema.format === 'date') return new Date(Date.now() + this.int(1, 30) * 86_400_000).toISOString().slice(0, 10);
    if (schema.format === 'email' || /email/.test(key)) return `fuzz${serial}@example.com`;
    // The demo shop's own currency mostly; another now and then, for exchange rates.
    if (pattern?.includes('[A-Z]{3}')) return this.chance(0.7) ? 'USD' : 'EUR';
    if (/password/.test(key)) return `fuzz-pass-${serial}-long-enough`;
    if (/amount|price|cost|rate|value|total|freight|duty|fee|shipping/.test(key)) return this.pick(['1.00', '2.50', '0.99', '500.00']);
    if (/tolerance|percent|margin|markup/.test(key) || /^Percentage/.test(schema.description ?? '')) return this.pick(['5', '12.5', '0']);
    if (/sku|code|barcode|register|reference|number|order_id/.test(key)) return `FZ-${serial}`;
    if (/url/.test(key)) return `https://example.com/${serial}`;
    if (pattern && /\\d|\[0-9\]/.test(pattern) && /\.\\d/.test(pattern)) return `${this.int(1, 9)}.00`;
    const text = `fuzz ${serial}`;
    const max = schema.maxLength ?? 200;
    const out = text.slice(0, max).padEnd(schema.minLength ?? 1, 'x');
    if (pattern && !new RegExp(pattern).test(out)) return this.string(schema);
    return out;
  }

  /** A request built from `plausible` values and ids that exist: one that can succeed. */
  plausibleRequest(op: Operation): FuzzRequest {
    let url = op.path;
    for (const p of op.parameters.filter((p) => p.in === 'path')) url = url.replace(`{${p.name}}`, encodeURIComponent(String(this.plausible(p.schema, p.name))));
    const query = new URLSearchParams();
    for (const p of op.parameters.filter((p) => p.in === 'query' && p.required)) query.set(p.name, String(this.plausible(p.schema, p.name)));
    const qs = query.toString();
    const headers: Record<string, string> = { 'idempotency-key': `plausible-${this.int(0, 1e9)}` };
    const req: FuzzRequest = { method: op.method, url: qs ? `${url}?${qs}` : url, headers, kind: 'plausible' };
    if (!op.body) return req;
    return { ...req, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(this.plausible(op.body)) };
  }

  /** The same shape with one thing broken. */
  malformed(schema: Schema): { value: unknown; kind: string } {
    const value = this.valid(schema);
    const kind = this.pick(['wrong_type', 'missing_field', 'extra_field', 'big_number', 'too_precise', 'weird_text', 'huge_string', 'negative', 'null', 'nested_wrong']);
    const resolved = this.resolver.resolve(schema);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { value: this.pick([{}, [], 'x', 2 ** 60, null]), kind: 'not_an_object' };
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(resolved.properties ?? {});
    const key = keys.length ? this.pick(keys) : 'x';
    switch (kind) {
      case 'wrong_type':
        obj[key] = this.pick([12345, 'string', true, [], {}, -1.5]);
        break;
      case 'missing_field':
        delete obj[this.pick<string>(resolved.required ?? [key])];
        break;
      case 'extra_field':
        obj[`unexpected_${this.int(0, 99)}`] = 'surprise';
        break;
      case 'big_number':
        obj[key] = this.pick([2 ** 53, 2 ** 53 + 2, 1e300, -(2 ** 60), 9007199254740993]);
        break;
      case 'too_precise':
        obj[key] = this.pick([1.0001, 0.0005, 3.14159, '1.0000001']);
        break;
      case 'weird_text':
        obj[key] = `a${this.pick(weird)}b`;
        break;
      case 'huge_string':
        obj[key] = 'x'.repeat(1024 * 1024);
        break;
      case 'negative':
        obj[key] = this.pick([-1, -0.001, -1e9]);
        break;
      case 'null':
        obj[key] = null;
        break;
      case 'nested_wrong': {
        const arrays = Object.entries(obj).filter(([, v]) => Array.isArray(v) && v.length);
        if (arrays.length) {
          const arr = this.pick(arrays)[1] as unknown[];
          arr[0] = this.pick([null, 'x', 7, { qty: 1.00001 }, { item_id: 'itm_NOPE', qty: 1e20 }]);
        } else obj[key] = [1, 2, 3];
        break;
      }
    }
    return { value: obj, kind };
  }

  pathValue(name: string, schema: Schema): string {
    // No bare `..` (even escaped): URL parsing resolves it to another route before it is sent.
    if (this.chance(0.15)) return encodeURIComponent(this.pick(['nope', 'itm_', '%00', 'a'.repeat(300), "'", 'a..b']));
    return encodeURIComponent(this.string(this.resolver.resolve(schema)));
  }

  request(op: Operation): FuzzRequest {
    let url = op.path;
    for (const p of op.parameters.filter((p) => p.in === 'path')) url = url.replace(`{${p.name}}`, this.pathValue(p.name, p.schema));
    const query = new URLSearchParams();
    for (const p of op.parameters.filter((p) => p.in === 'query')) {
      if (!p.required && this.chance(0.6)) continue;
      const schema = this.resolver.resolve(p.schema);
      const value = this.chance(0.15) ? this.pick(['', '-1', '1e400', 'x'.repeat(600), 'true', 'null', '0.0001']) : this.valid(schema);
      query.set(p.name, String(value));
    }
    if (this.chance(0.05)) query.set(`unknown_${this.int(0, 9)}`, 'x');
    const qs = query.toString();
    const headers: Record<string, string> = {};
    if (op.method !== 'GET' && this.chance(0.3)) headers['idempotency-key'] = this.chance(0.9) ? `fuzz-${this.int(0, 1e9)}` : 'bad key with spaces';
    const req: FuzzRequest = { method: op.method, url: qs ? `${url}?${qs}` : url, headers, kind: 'valid' };
    if (op.method === 'GET' || op.method === 'DELETE') return req;

    const mode = this.int(0, 9);
    if (!op.body || mode === 9) {
      const raw = this.pick(['{"broken": ', '[1,2', 'null', '"text"', '', '{"a":1}{', '\u0000', '{"__proto__": {"x": 1}}']);
      return { ...req, headers: { ...headers, 'content-type': 'application/json' }, payload: raw, kind: 'broken_json' };
    }
    if (mode === 8) {
      return { ...req, headers: { ...headers, 'content-type': this.pick(['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) }, payload: 'a=1', kind: 'wrong_content_type' };
    }
    if (mode <= 3) return { ...req, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(this.valid(op.body)), kind: 'valid' };
    const broken = this.malformed(op.body);
    return { ...req, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(broken.value), kind: broken.kind };
  }
}
