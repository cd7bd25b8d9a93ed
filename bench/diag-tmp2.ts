import { openDatabase } from '../src/platform/db/database.ts';
const db = await openDatabase({ url: process.argv[2]! });
const k = db.kysely;
const sites = await k.selectFrom('locations').select(['id', 'name', 'site_type']).where('kind', '=', 'site').execute();
const wh = sites.find((s) => s.site_type === 'warehouse')!;
const levels = await k.selectFrom('stock_levels').select(['item_id', 'site_id', 'min_qty', 'max_qty', 'basis_json']).whereRef('location_id', '=', 'site_id').execute();
const held = await k.selectFrom('balances as b').innerJoin('locations as l', 'l.id', 'b.location_id').select(['b.item_id', 'l.site_id', 'b.on_hand', 'b.reserved']).where('l.purpose', '=', 'stock').execute();
const oh = new Map<string, number>();
for (const h of held) oh.set(`${h.item_id}|${h.site_id}`, (oh.get(`${h.item_id}|${h.site_id}`) ?? 0) + Number(h.on_hand) - Number(h.reserved));
const lv = new Map(levels.map((l) => [`${l.item_id}|${l.site_id}`, l]));
for (const s of sites.filter((x) => x.site_type !== 'warehouse')) {
  let empty = 0, whHas = 0, whAboveKeep = 0, min0 = 0, noLevel = 0;
  for (const l of levels.filter((x) => x.site_id === s.id)) {
    const h = oh.get(`${l.item_id}|${s.id}`) ?? 0;
    if (h >= 1000) continue;
    const b = l.basis_json ? JSON.parse(l.basis_json) : null;
    if (!b || b.forecast === 0) continue;
    empty++;
    if (Number(l.min_qty) === 0) min0++;
    const w = oh.get(`${l.item_id}|${wh.id}`) ?? 0;
    const wl = lv.get(`${l.item_id}|${wh.id}`);
    const keep = wl?.basis_json ? (JSON.parse(wl.basis_json).ownKeep ?? 0) : 0;
    if (w >= 1000) whHas++;
    if (w - keep >= 1000) whAboveKeep++;
  }
  console.log(s.name, { empty, min0, whHas, whAboveKeep });
}
await db.close();
