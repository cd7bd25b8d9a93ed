import { isNumberWord } from './words.ts';

/**
 * The tiny phrase matcher of the text endpoint: the four questions in the words a shop owner
 * uses, mapped to the same intents and slots the Alexa interaction model declares. It is no
 * language model: a phrase that fits none of the patterns is `unknown` and answered with help.
 */

export const VOICE_INTENTS = ['StockAtSiteIntent', 'LowStockIntent', 'TopSellersIntent', 'AddToOrderIntent'] as const;
export type VoiceIntent = (typeof VOICE_INTENTS)[number];

/** Slot values as spoken; resolution against the catalogue happens in the service. */
export type Slots = Partial<Record<'item' | 'site' | 'quantity' | 'unit', string>>;

export type Parsed = { intent: VoiceIntent; slots: Slots } | { intent: 'unknown'; slots: Slots };

const stockPattern = /^how (?:many|much) (.+?) (?:(?:are|is) there |(?:are|is) |do (?:we|i|you) have |have (?:we|i) got )?(?:at|in) (.+)$/;
const stockOfPattern = /^what is the stock of (.+?) (?:at|in) (.+)$/;
const lowPattern = /^(?:what|which items|which things) (?:is|are) (?:running )?low(?: on stock)? (?:at|in) (.+)$|^what are we (?:running )?low on (?:at|in) (.+)$/;
const topPattern = /^(?:what (?:sold|has sold|sells|is selling) (?:best|most)(?: today)?|(?:what are )?(?:the )?(?:today is |todays )?best ?sellers(?: today)?)$/;
const addPattern = /^(?:add|order|put) (.+?) (?:to|on|onto|in) (?:the )?(?:next|draft|open) (?:purchase )?order$|^order (.+)$/;

/** Lower case, apostrophes folded ("what's" → "what is"), end punctuation and doubled spaces gone. */
function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’']s\b/g, (m, offset: number, whole: string) => (/\bwhat$|\bthat$|\bit$/.test(whole.slice(0, offset)) ? ' is' : 's'))
    .replace(/[?!.,]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function parsePhrase(text: string): Parsed {
  const t = normalise(text);
  let m = stockPattern.exec(t) ?? stockOfPattern.exec(t);
  if (m) return { intent: 'StockAtSiteIntent', slots: { item: m[1]!, site: m[2]! } };
  m = lowPattern.exec(t);
  if (m) return { intent: 'LowStockIntent', slots: { site: (m[1] ?? m[2])! } };
  if (topPattern.test(t)) return { intent: 'TopSellersIntent', slots: {} };
  m = addPattern.exec(t);
  if (m) return { intent: 'AddToOrderIntent', slots: splitOrderPhrase((m[1] ?? m[2])!) };
  return { intent: 'unknown', slots: {} };
}

/** "two cases of coffee beans" → quantity "two", unit "cases", item "coffee beans"; "3 oat milk" has no unit. */
export function splitOrderPhrase(phrase: string): Slots {
  const words = phrase.split(' ');
  let n = 0;
  while (n < words.length && (isNumberWord(words[n]!) || words[n] === 'and')) n += 1;
  if (n === 0) return { item: phrase };
  const quantity = words.slice(0, n).join(' ');
  const rest = words.slice(n);
  const of = rest.indexOf('of');
  if (of > 0 && of < rest.length - 1) return { quantity, unit: rest.slice(0, of).join(' '), item: rest.slice(of + 1).join(' ') };
  return { quantity, item: rest.join(' ') };
}
