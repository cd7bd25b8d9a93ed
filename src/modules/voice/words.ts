/**
 * How spoken words are compared with the names in the shop. People say "oat milk cartons" for an
 * item called "Oat milk", "the harbour store" for "Harbour store" and "two cases" for 2 case:
 * names are compared as sets of singular, lower-case words, with filler words left out.
 */

const fillers = new Set(['the', 'a', 'an', 'of', 'at', 'in', 'our', 'my', 'please', 'shop']);

/** One word in the singular: "boxes" → "box", "berries" → "berry", "beans" → "bean"; "glass" stays. */
export function singular(word: string): string {
  if (word.length <= 3 || word.endsWith('ss') || word.endsWith('us')) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(?:ches|shes|xes|zes|sses)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/** Lower-case singular words of a phrase, punctuation and filler words removed. */
export function wordsOf(phrase: string): string[] {
  return phrase
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, ' ')
    .split(/[\s-]+/)
    .filter((w) => w.length > 0 && !fillers.has(w))
    .map(singular);
}

const numberWords: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20,
  thirty: 30, forty: 40, fifty: 50, hundred: 100, dozen: 12, half: 0.5,
};

/** The largest quantity a spoken order may name: more is a mishearing, not an order. */
export const SPOKEN_QTY_MAX = 10_000;

/**
 * A spoken whole or decimal number as thousandths ("two" → 2000, "2.5" → 2500, "twenty four" →
 * 24000), or null when it is not one this matcher knows.
 */
export function spokenQuantity(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (/^\d{1,5}(?:\.\d{1,3})?$/.test(t)) {
    const [whole, fraction = ''] = t.split('.');
    const value = Number(whole) * 1000 + Number(fraction.padEnd(3, '0'));
    return value > 0 && value <= SPOKEN_QTY_MAX * 1000 ? value : null;
  }
  // "a dozen" is twelve, not thirteen: an article before another number word only introduces it.
  const said = t.split(/[\s-]+/).filter((w) => w !== 'and');
  const parts = said.length > 1 ? said.filter((w) => w !== 'a' && w !== 'an') : said;
  if (parts.length === 0 || parts.some((w) => numberWords[w] === undefined)) return null;
  let total = 0;
  for (const w of parts) total = w === 'hundred' ? Math.max(total, 1) * 100 : total + numberWords[w]!;
  const thousandths = Math.round(total * 1000);
  return thousandths > 0 && thousandths <= SPOKEN_QTY_MAX * 1000 ? thousandths : null;
}

/** Words one can say for a quantity, so the phrase matcher can tell where a quantity ends. */
export function isNumberWord(word: string): boolean {
  return numberWords[word.toLowerCase()] !== undefined || /^\d+(?:\.\d+)?$/.test(word);
}

export interface Named {
  id: string;
  name: string;
  code: string;
}

export type Match<T> = { kind: 'one'; record: T } | { kind: 'none' } | { kind: 'several'; records: T[] };

/**
 * The record a spoken phrase names. An exact name or code wins; then the records whose every
 * name word was said ("oat milk cartons" names "Oat milk"), the one with the most words first;
 * then the records whose name holds every word said ("croissant" names "Butter croissant").
 * Several equally good records are returned as such, so the caller can ask which one.
 */
export function matchName<T extends Named>(phrase: string, records: readonly T[]): Match<T> {
  const said = wordsOf(phrase);
  if (said.length === 0) return { kind: 'none' };
  const saidText = said.join(' ');
  const exact = records.filter((r) => wordsOf(r.name).join(' ') === saidText || r.code.toLowerCase() === phrase.trim().toLowerCase());
  if (exact.length) return pick(exact);
  const saidSet = new Set(said);
  const covered = records
    .map((r) => ({ r, words: wordsOf(r.name) }))
    .filter(({ words }) => words.length > 0 && words.every((w) => saidSet.has(w)));
  if (covered.length) {
    const most = Math.max(...covered.map((c) => c.words.length));
    return pick(covered.filter((c) => c.words.length === most).map((c) => c.r));
  }
  const containing = records.filter((r) => {
    const words = new Set(wordsOf(r.name));
    return said.every((w) => words.has(w));
  });
  return containing.length ? pick(containing) : { kind: 'none' };
}

function pick<T>(records: T[]): Match<T> {
  return records.length === 1 ? { kind: 'one', record: records[0]! } : { kind: 'several', records };
}

/** "A, B and C" for a spoken list. */
export function spokenList(parts: readonly string[]): string {
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
