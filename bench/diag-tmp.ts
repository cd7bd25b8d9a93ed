import { openDatabase } from '../src/platform/db/database.ts';
const db = await openDatabase({ url: process.argv[2]! });
const k = db.kysely;
const wh = await k.selectFrom('locations').select(['id']).where('kind', '=', 'site').where('site_type', '=', 'warehouse').executeTakeFirstOrThrow();
const levels = await k.selectFrom('stock_levels').select(['item_id', 'min_qty', 'max_qty', 'basis_json']).where('site_id', '=', wh.id).whereRef('location_id', '=', 'site_id').execute();
const held = await k.selectFrom('balances as b').innerJoin('locations as l', 'l.id', 'b.location_id').select(['b.item_id', 'b.on_hand', 'b.reserved']).where('l.site_id', '=', wh.id).where('l.purpose', '=', 'stock').execute();
const onHand = new Map<string, number>();
for (const h of held) onHand.set(h.item_id, (onHand.get(h.item_id) ?? 0) + Number(h.on_hand) - Number(h.reserved));
let n = 0, empty = 0, keep0 = 0, emptyKeep0 = 0, borrowed = 0, emptyBorrowed = 0, ech = 0, keepSum = 0, emptyBelowKeep = 0;
const rows: string[] = [];
for (const l of levels) {
  const b = l.basis_json ? JSON.parse(l.basis_json) : null;
  if (!b?.storesCounted) continue;
  n++;
  const h = onHand.get(l.item_id) ?? 0;
  const keep = b.ownKeep ?? 0;
  if (b.echelon) ech++;
  if (b.ownFromStores) borrowed++;
  keepSum += keep;
  if (keep === 0) keep0++;
  if (h < 1000) { empty++; if (keep === 0) emptyKeep0++; if (b.ownFromStores) emptyBorrowed++; if (rows.length < 15) rows.push(`${l.item_id} onhand ${h} keep ${keep} min ${l.min_qty} max ${l.max_qty} lead ${b.leadTimeDays} fc ${b.forecast} borrowed ${!!b.ownFromStores}`); }
}
console.log({ n, ech, borrowed, keep0, empty, emptyKeep0, emptyBorrowed, keepSum });
console.log(rows.join('\n'));
await db.close();
