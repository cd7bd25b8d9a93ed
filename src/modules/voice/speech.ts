import { formatQuantity } from '../../platform/quantity.ts';

/**
 * Quantities said the way a shop owner would say them: "6 litres", "4.2 kilograms", "2 cases",
 * "12" for things counted in each. Figures are exact (thousandths formatted, never a float sum).
 */

const unitWords: Record<string, [string, string]> = {
  l: ['litre', 'litres'],
  ml: ['millilitre', 'millilitres'],
  g: ['gram', 'grams'],
  kg: ['kilogram', 'kilograms'],
  m: ['metre', 'metres'],
  cm: ['centimetre', 'centimetres'],
  ea: ['', ''],
  pcs: ['', ''],
};

const smallNumbers = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/** A count of things in words up to twelve ("two"), in digits beyond, as people say them. */
export function spokenNumber(thousandths: number): string {
  if (thousandths % 1000 === 0 && thousandths >= 0 && thousandths / 1000 < smallNumbers.length) return smallNumbers[thousandths / 1000]!;
  return formatQuantity(thousandths);
}

/** The name of a unit as said for this amount: "case"/"cases", "kg" → "kilograms", "ea" → "". */
export function unitWord(unit: string, thousandths: number): string {
  const one = Math.abs(thousandths) === 1000;
  const known = unitWords[unit.toLowerCase()];
  if (known) return one ? known[0] : known[1];
  return one || unit.endsWith('s') ? unit : `${unit}s`;
}

/** "6 litres", "4.2 kilograms" (grams from a thousand up read better as kilograms), "12". */
export function spokenAmount(thousandths: number, baseUnit: string): string {
  // Only when exact: a figure is never rounded to make it sound nicer.
  const larger = { g: 'kg', ml: 'l' }[baseUnit.toLowerCase()];
  if (larger && Math.abs(thousandths) >= 1_000_000 && thousandths % 1000 === 0) return spokenAmount(thousandths / 1000, larger);
  const figure = thousandths < 0 ? `minus ${formatQuantity(-thousandths)}` : formatQuantity(thousandths);
  const word = unitWord(baseUnit, thousandths);
  return word ? `${figure} ${word}` : figure;
}
