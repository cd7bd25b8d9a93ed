/**
 * GS1 element strings, as GS1-128 and GS1 DataMatrix (and QR, DataBar, DotCode) carry them:
 * application identifiers (AIs) followed by their data, `(01)09501101530003(17)140704(10)AB-123`
 * in human-readable form, or `]C1` + `010950110153000317140704` + `10AB-123` as a scanner sends
 * it, where FNC1 arrives as the group separator (ASCII 29) after every variable-length field
 * that is not last.
 *
 * What the AI is decides where its data ends: the first two digits give the AI's own length and
 * whether its data has a predefined length (GS1 General Specifications §5.10, "element strings
 * with predefined length"); every other field runs to the next separator. AIs this parser does
 * not know are reported, not fatal, as long as their prefix says how long they are.
 */

export const GROUP_SEPARATOR = '\u001d';

/** Symbology identifiers (ISO/IEC 15424) of the GS1 symbologies; a scanner may send one first. */
const gs1Symbologies: Record<string, string> = {
  ']C1': 'gs1-128',
  ']e0': 'gs1-databar',
  ']d2': 'gs1-datamatrix',
  ']Q3': 'gs1-qr',
  ']J1': 'gs1-dotcode',
};

/** Length of the AI itself, by its first two digits; prefixes not listed are not assigned. */
function aiLengthOf(prefix: string): number | null {
  const n = Number(prefix);
  if ((n >= 0 && n <= 4) || (n >= 10 && n <= 22) || n === 30 || n === 37 || (n >= 90 && n <= 99)) return 2;
  if (n === 23 || n === 24 || n === 25 || (n >= 40 && n <= 42) || n === 71) return 3;
  if ((n >= 31 && n <= 36) || n === 39 || n === 43 || n === 70 || n === 72 || (n >= 80 && n <= 82)) return 4;
  return null;
}

/** Data length of the AIs whose length is predefined (and so needs no separator after it). */
const predefinedDataLength: Record<string, number> = {
  '00': 18, '01': 14, '02': 14, '03': 14, '04': 16,
  '11': 6, '12': 6, '13': 6, '14': 6, '15': 6, '16': 6, '17': 6, '18': 6, '19': 6,
  '20': 2,
  '31': 6, '32': 6, '33': 6, '34': 6, '35': 6, '36': 6,
  '41': 13,
};

interface AiSpec {
  title: string;
  /** Largest data length; variable-length AIs only. */
  max?: number;
  numeric?: boolean;
}

/** The AIs we name. Weights and measures (31nn–36nn) are matched by their first three digits. */
const knownAis: Record<string, AiSpec> = {
  '00': { title: 'SSCC', numeric: true },
  '01': { title: 'GTIN', numeric: true },
  '02': { title: 'CONTENT', numeric: true },
  '10': { title: 'BATCH/LOT', max: 20 },
  '11': { title: 'PROD DATE', numeric: true },
  '12': { title: 'DUE DATE', numeric: true },
  '13': { title: 'PACK DATE', numeric: true },
  '15': { title: 'BEST BEFORE or BEST BY', numeric: true },
  '16': { title: 'SELL BY', numeric: true },
  '17': { title: 'USE BY OR EXPIRY', numeric: true },
  '20': { title: 'VARIANT', numeric: true },
  '21': { title: 'SERIAL', max: 20 },
  '22': { title: 'CPV', max: 20 },
  '30': { title: 'VAR. COUNT', max: 8, numeric: true },
  '37': { title: 'COUNT', max: 8, numeric: true },
  '240': { title: 'ADDITIONAL ID', max: 30 },
  '241': { title: 'CUST. PART No.', max: 30 },
  '250': { title: 'SECONDARY SERIAL', max: 30 },
  '251': { title: 'REF. TO SOURCE', max: 30 },
  '400': { title: 'ORDER NUMBER', max: 30 },
  '401': { title: 'GINC', max: 30 },
  '403': { title: 'ROUTE', max: 30 },
  '410': { title: 'SHIP TO LOC', numeric: true },
  '414': { title: 'LOC No.', numeric: true },
  '420': { title: 'SHIP TO POST', max: 20 },
  '7003': { title: 'EXPIRY TIME', max: 10, numeric: true },
  '310': { title: 'NET WEIGHT (kg)', numeric: true },
  '320': { title: 'NET WEIGHT (lb)', numeric: true },
};

function specOf(ai: string): AiSpec | null {
  return knownAis[ai] ?? (ai.length === 4 && /^3[1-6]/.test(ai) ? (knownAis[ai.slice(0, 3)] ?? null) : null);
}

export interface Gs1Element {
  ai: string;
  title: string | null;
  value: string;
}

export interface Gs1Problem {
  ai: string | null;
  message: string;
}

export interface Gs1Result {
  /** The symbology named by a leading identifier, if the scanner sent one. */
  symbology: string | null;
  elements: Gs1Element[];
  gtin: string | null;
  lot: string | null;
  /** AI 17 (or 15 when there is no 17), as YYYY-MM-DD with the DD=00 rule applied. */
  expiresOn: string | null;
  serial: string | null;
  count: number | null;
  /** Elements whose AI this parser does not know; reported, not fatal. */
  unknown: Gs1Element[];
  /** Data that broke a rule (a bad check digit, an impossible date, a field too long). */
  problems: Gs1Problem[];
}

/** Whether the text announces itself as a GS1 element string rather than a plain barcode. */
export function looksLikeGs1(text: string): boolean {
  return Object.keys(gs1Symbologies).some((s) => text.startsWith(s)) || /^\(\d{2,4}\)/.test(text) || text.includes(GROUP_SEPARATOR);
}

/** Removes any symbology identifier (`]C1`, `]E0`, …), returning the GS1 symbology it named. */
export function stripSymbologyIdentifier(text: string): { body: string; symbology: string | null; gs1: boolean } {
  const match = /^\][A-Za-z][0-9A-Za-z]/.exec(text);
  if (!match) return { body: text, symbology: null, gs1: false };
  const symbology = gs1Symbologies[match[0]] ?? null;
  return { body: text.slice(3), symbology, gs1: symbology !== null };
}

/** Parses a GS1 element string in either the scanned or the human-readable form. */
export function parseGs1(input: string, now: number): Gs1Result {
  const { body, symbology } = stripSymbologyIdentifier(input);
  const result: Gs1Result = { symbology, elements: [], gtin: null, lot: null, expiresOn: null, serial: null, count: null, unknown: [], problems: [] };
  const raw = body.startsWith('(') ? splitHumanReadable(body, result.problems) : splitScanned(body, result.problems);
  for (const { ai, value } of raw) interpret(result, ai, value, now);
  if (result.expiresOn === null) {
    const bestBefore = result.elements.find((e) => e.ai === '15');
    if (bestBefore) result.expiresOn = dateOf(bestBefore.value, now);
  }
  return result;
}

function splitHumanReadable(text: string, problems: Gs1Problem[]): Array<{ ai: string; value: string }> {
  const out: Array<{ ai: string; value: string }> = [];
  const pattern = /\((\d{2,4})\)([^(]*)/gy;
  let match: RegExpExecArray | null;
  let end = 0;
  while ((match = pattern.exec(text)) !== null) {
    out.push({ ai: match[1]!, value: match[2]!.replaceAll(GROUP_SEPARATOR, '') });
    end = pattern.lastIndex;
  }
  if (end < text.length) problems.push({ ai: null, message: `cannot read "${text.slice(end)}" as (AI)data` });
  return out;
}

function splitScanned(text: string, problems: Gs1Problem[]): Array<{ ai: string; value: string }> {
  const out: Array<{ ai: string; value: string }> = [];
  let pos = 0;
  while (pos < text.length) {
    if (text[pos] === GROUP_SEPARATOR) {
      pos += 1;
      continue;
    }
    const prefix = text.slice(pos, pos + 2);
    const aiLength = /^\d\d$/.test(prefix) ? aiLengthOf(prefix) : null;
    if (aiLength === null) {
      problems.push({ ai: null, message: `"${text.slice(pos)}" does not start with an assigned application identifier` });
      break;
    }
    const ai = text.slice(pos, pos + aiLength);
    if (!/^\d+$/.test(ai) || ai.length < aiLength) {
      problems.push({ ai: null, message: `application identifier "${ai}" is incomplete` });
      break;
    }
    pos += aiLength;
    const fixed = predefinedDataLength[prefix];
    let value: string;
    if (fixed !== undefined) {
      value = text.slice(pos, pos + fixed);
      pos += fixed;
      if (value.includes(GROUP_SEPARATOR) || value.length < fixed) {
        problems.push({ ai, message: `AI (${ai}) needs exactly ${fixed} characters` });
        break;
      }
    } else {
      const separator = text.indexOf(GROUP_SEPARATOR, pos);
      const end = separator < 0 ? text.length : separator;
      value = text.slice(pos, end);
      pos = end;
    }
    out.push({ ai, value });
  }
  return out;
}

function interpret(result: Gs1Result, ai: string, value: string, now: number): void {
  const spec = specOf(ai);
  const element: Gs1Element = { ai, title: spec?.title ?? null, value };
  result.elements.push(element);
  if (!spec) {
    result.unknown.push(element);
    return;
  }
  const problem = (message: string): void => {
    result.problems.push({ ai, message });
  };
  if (spec.numeric && !/^\d+$/.test(value)) return problem(`AI (${ai}) takes digits only`);
  if (spec.max !== undefined && value.length > spec.max) return problem(`AI (${ai}) takes at most ${spec.max} characters`);
  if (value.length === 0) return problem(`AI (${ai}) has no data`);
  switch (ai) {
    case '01':
    case '02':
      if (!hasValidCheckDigit(value)) return problem(`${value} has a wrong check digit`);
      if (ai === '01' || result.gtin === null) result.gtin = value;
      return;
    case '10':
      result.lot = value;
      return;
    case '21':
      result.serial = value;
      return;
    case '17': {
      const date = dateOf(value, now);
      if (date === null) return problem(`${value} is not a date YYMMDD`);
      result.expiresOn = date;
      return;
    }
    case '11':
    case '13':
    case '15':
    case '16':
      if (dateOf(value, now) === null) problem(`${value} is not a date YYMMDD`);
      return;
    case '30':
    case '37':
      result.count = Number(value);
      return;
  }
}

function hasValidCheckDigit(digits: string): boolean {
  let sum = 0;
  const body = digits.slice(0, -1);
  for (let i = body.length - 1, weight = 3; i >= 0; i -= 1, weight = 4 - weight) sum += Number(body[i]) * weight;
  return (10 - (sum % 10)) % 10 === Number(digits[digits.length - 1]);
}

/**
 * YYMMDD to YYYY-MM-DD. The century follows GS1 General Specifications §7.12: a year more than
 * 50 years ahead of the current one is in the previous century, one 50 or more behind it is in
 * the next. DD = 00 means the last day of the month.
 */
export function dateOf(yymmdd: string, now: number): string | null {
  if (!/^\d{6}$/.test(yymmdd)) return null;
  const yy = Number(yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  let day = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12) return null;
  const currentYear = new Date(now).getUTCFullYear();
  const century = Math.floor(currentYear / 100) * 100;
  const difference = yy - (currentYear % 100);
  const year = difference >= 51 ? century - 100 + yy : difference <= -50 ? century + 100 + yy : century + yy;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day === 0) day = lastDay;
  if (day > lastDay) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
