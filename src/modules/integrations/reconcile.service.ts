import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import { callUpstream } from './upstream.ts';
import { channelAvailability } from '../sales/index.ts';
import { connected, getConnection } from './connections.service.ts';
import { logSync } from './sync-log.ts';

export interface Drift {
  variant_ref: string;
  item_id: string;
  title: string;
  upstream: number | null;
  available: number;
}

/**
 * Reads every mapped variant's level upstream and compares it with what Stockroom would push now.
 * Differences are reported; with `repair` each drifted variant is marked as owing a push (expecting
 * what upstream holds, so compare-and-set succeeds) and the push job sets it.
 */
export async function reconcile(ctx: ServiceContext, connectionId: string, options: { repair?: boolean } = {}): Promise<{ checked: number; drift: Drift[] }> {
  const connection = await getConnection(ctx, connectionId);
  const link = connected(connection, () => ctx.clock.now());
  const drift: Drift[] = [];
  let checked = 0;
  let after = '';
  for (;;) {
    const rows = await ctx.db.kysely
      .selectFrom('channel_variant_maps')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('item_id', 'is not', null)
      .where('variant_ref', '>', after)
      .orderBy('variant_ref')
      .limit(100)
      .execute();
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.variant_ref;
    const upstream = await callUpstream(connection.platform, () => link.adapter.readLevels(link.credentials, link.env, rows.map((r) => r.variant_ref)));
    for (const row of rows) {
      checked += 1;
      const { lines } = await channelAvailability({ ...ctx, trx: undefined }, connection.channel_id, { itemId: row.item_id!, limit: 1 });
      const available = lines.find((l) => l.itemId === row.item_id)?.available ?? 0;
      const there = upstream.get(row.variant_ref) ?? null;
      // Platforms count whole units: compare in whole units.
      if (there === null || Math.floor(available / 1000) * 1000 !== there) drift.push({ variant_ref: row.variant_ref, item_id: row.item_id!, title: row.title, upstream: there, available });
      await ctx.db.kysely.updateTable('channel_variant_maps').set({ upstream_qty: there }).where('connection_id', '=', connectionId).where('variant_ref', '=', row.variant_ref).execute();
    }
  }
  await inTransaction(ctx, async (trx) => {
    if (options.repair) {
      for (const d of drift) {
        await trx
          .updateTable('channel_variant_maps')
          .set((eb) => ({ dirty_gen: eb('pushed_gen', '+', 1), pushed_qty: d.upstream }))
          .where('connection_id', '=', connectionId)
          .where('variant_ref', '=', d.variant_ref)
          .execute();
      }
    }
    await logSync(trx, { connectionId, kind: 'reconcile', ok: drift.length === 0, detail: `${checked} checked, ${drift.length} drifted${options.repair && drift.length ? ', repair queued' : ''}` }, ctx.clock.now());
  });
  return { checked, drift };
}

/** Reconciles every active connection, reporting only (the nightly job). */
export async function reconcileAll(ctx: ServiceContext): Promise<number> {
  const rows = await ctx.db.kysely.selectFrom('channel_connections').select('id').where('status', '=', 'active').execute();
  for (const row of rows) {
    try {
      await reconcile(ctx, row.id);
    } catch (error) {
      await inTransaction(ctx, (trx) => logSync(trx, { connectionId: row.id, kind: 'reconcile', ok: false, detail: error instanceof Error ? error.message : String(error) }, ctx.clock.now()));
    }
  }
  return rows.length;
}
