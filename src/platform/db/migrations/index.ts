import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { DialectName } from '../database.ts';
import { withSchemaIntrospection } from '../introspection.ts';
import * as core from './0001-core.ts';
import * as access from './0002-access.ts';
import * as costing from './0003-costing.ts';
import * as purchasing from './0004-purchasing.ts';
import * as sales from './0005-sales.ts';
import * as reorderPoints from './0006-reorder-points.ts';
import * as signInAddresses from './0007-sign-in-addresses.ts';
import * as counts from './0009-counts.ts';
import * as transfers from './0010-transfers.ts';
import * as channelAssortment from './0011-channel-assortment.ts';
import * as replenishment from './0012-replenishment.ts';
import * as forecasts from './0013-forecasts.ts';
import * as deliveries from './0014-deliveries.ts';
import * as alerts from './0015-alerts.ts';
import * as jobLeases from './0016-job-leases.ts';
import * as production from './0018-production.ts';
import * as lotCosts from './0019-lot-costs.ts';
import * as pricing from './0020-pricing.ts';
import * as channelConnections from './0022-channel-connections.ts';
import * as channelSyncLog from './0023-channel-sync-log.ts';
import * as savedReports from './0024-saved-reports.ts';
import * as products from './0025-products.ts';
import * as importJobs from './0026-import-jobs.ts';
import * as accounting from './0027-accounting.ts';
import * as oauth from './0028-oauth.ts';
import * as tax from './0029-tax.ts';
import * as googleListings from './0031-google-listings.ts';
import * as vendorReturns from './0032-vendor-returns.ts';
import * as qboSales from './0034-qbo-sales.ts';
import * as reportIndexes from './0036-report-indexes.ts';
import * as costCheckpoints from './0037-cost-checkpoints.ts';
import * as snapshotSiteValues from './0038-snapshot-site-values.ts';
import * as snapshotDayValues from './0040-snapshot-day-values.ts';
import * as reportMonthScans from './0041-report-month-scans.ts';
import * as salesDayTotals from './0042-sales-day-totals.ts';
import * as salesDayOrders from './0044-sales-day-orders.ts';
import * as soldStockIndexes from './0045-sold-stock-indexes.ts';
import * as movementCostHotUpdates from './0046-movement-cost-hot-updates.ts';

/**
 * Every migration, in order. They are listed here rather than read from disk so the compiled
 * build and the test runner see the same set; a new migration adds its file and one line here.
 * A migration whose SQL must differ per dialect (triggers) receives the dialect's name.
 */
type StockroomMigration = { up(db: Kysely<any>, dialect: DialectName): Promise<void>; down(): Promise<void> };

const migrations: Record<string, StockroomMigration> = {
  '0001-core': core,
  '0002-access': access,
  '0003-costing': costing,
  '0004-purchasing': purchasing,
  '0005-sales': sales,
  '0006-reorder-points': reorderPoints,
  '0007-sign-in-addresses': signInAddresses,
  '0009-counts': counts,
  '0010-transfers': transfers,
  '0011-channel-assortment': channelAssortment,
  '0012-replenishment': replenishment,
  '0013-forecasts': forecasts,
  '0014-deliveries': deliveries,
  '0015-alerts': alerts,
  '0016-job-leases': jobLeases,
  '0018-production': production,
  '0019-lot-costs': lotCosts,
  '0020-pricing': pricing,
  '0022-channel-connections': channelConnections,
  '0023-channel-sync-log': channelSyncLog,
  '0024-saved-reports': savedReports,
  '0025-products': products,
  '0026-import-jobs': importJobs,
  '0027-accounting': accounting,
  '0028-oauth': oauth,
  '0029-tax': tax,
  '0031-google-listings': googleListings,
  '0032-vendor-returns': vendorReturns,
  '0034-qbo-sales': qboSales,
  '0036-report-indexes': reportIndexes,
  '0037-cost-checkpoints': costCheckpoints,
  '0038-snapshot-site-values': snapshotSiteValues,
  '0040-snapshot-day-values': snapshotDayValues,
  '0041-report-month-scans': reportMonthScans,
  '0042-sales-day-totals': salesDayTotals,
  '0044-sales-day-orders': salesDayOrders,
  '0045-sold-stock-indexes': soldStockIndexes,
  '0046-movement-cost-hot-updates': movementCostHotUpdates,
};

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(migrations).map(([name, m]) => [name, { up: (db: Kysely<any>) => m.up(db, this.dialect), down: () => m.down() }]),
    );
  }
}

/**
 * `schema` names the PostgreSQL schema that holds the migration bookkeeping; without it Kysely
 * may find another schema's bookkeeping table and skip creating its own.
 */
export async function migrateToLatest(db: Kysely<any>, options: { dialect: DialectName; schema?: string | undefined }): Promise<string[]> {
  const migrator = new Migrator({
    db: options.dialect === 'postgres' && options.schema ? withSchemaIntrospection(db, options.schema) : db,
    provider: new StaticMigrationProvider(options.dialect),
    ...(options.schema ? { migrationTableSchema: options.schema } : {}),
  });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
