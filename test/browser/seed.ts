import { systemClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/context.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { transact } from '../../src/platform/db/transaction.ts';
import { createItem } from '../../src/modules/catalog/index.ts';

const CATEGORIES = ['Stationery', 'Kitchen', 'Accessories', 'Pantry', 'Bakery', 'Garden', 'Toys', 'Lighting', 'Textiles', 'Tools'];
const NOUNS = ['mug', 'candle', 'notebook', 'scarf', 'umbrella', 'tea', 'pen', 'basket', 'lamp', 'towel', 'glove', 'bowl'];
const ADJECTIVES = ['red', 'blue', 'linen', 'oak', 'brass', 'large', 'small', 'organic', 'striped', 'classic', 'travel', 'deluxe'];

/** A GTIN-13 from its first twelve digits: the check digit weights them 1, 3, 1, 3… from the left. */
export function gtin13(first12: string): string {
  const sum = [...first12].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return `${first12}${(10 - (sum % 10)) % 10}`;
}

/**
 * A catalogue of `count` items written through the catalogue service (the same checks as the
 * API), in batches of 1,000 per transaction: the "30,000 items" shop the list must stay smooth on.
 */
export async function seedItems(dbPath: string, count: number): Promise<void> {
  const db = await openDatabase({ url: dbPath });
  try {
    for (let start = 0; start < count; start += 1000) {
      await transact(db, async (trx) => {
        const ctx = { db, clock: systemClock, actor: systemActor, trx };
        for (let i = start; i < Math.min(start + 1000, count); i += 1) {
          const noun = NOUNS[i % NOUNS.length]!;
          const adjective = ADJECTIVES[Math.floor(i / NOUNS.length) % ADJECTIVES.length]!;
          await createItem(ctx, {
            sku: `BULK-${String(i).padStart(6, '0')}`,
            name: `${adjective} ${noun} ${i}`,
            category: CATEGORIES[i % CATEGORIES.length]!,
            base_unit: 'ea',
            tracking: 'none',
            tracks_expiry: false,
            costing_method: 'fifo',
            price: 1_000_000 + (i % 5000) * 10_000,
            stocked: true,
            units: [],
            barcodes: [gtin13(`29${String(i).padStart(10, '0')}`)],
            components: [],
          } as Parameters<typeof createItem>[1]);
        }
      });
    }
  } finally {
    await db.close();
  }
}
