import { localDate, toIso, toIsoOrNull } from '../../platform/clock.ts';
import { canSeeCosts, inTransaction, reader, type Actor, type Role, type ServiceContext } from '../../platform/context.ts';
import type { SavedReportTable } from '../../platform/db/schema.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { PlatformError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { userActor } from '../access/index.ts';
import { getLocation } from '../locations/index.ts';
import { readSettings } from '../settings/index.ts';
import { customReportTable, DATASET_SPECS, definitionProblems, isCostMeasure, type CustomReportDefinition } from './custom-report.service.ts';
import { addDays } from './report-scope.ts';
import type { ReportTable } from './report-table.ts';
import { SavedReportError } from './saved-reports.errors.ts';

/**
 * Saved reports: a report builder definition with a name, shared with roles. A saved report is
 * shop-wide, but it is only ever run as the person asking (their role, their granted sites), so
 * a run shows only the caller's sites and staff never get a cost column, whatever was saved. A
 * report whose definition names a site is hidden from those not granted that site (404).
 *
 * Who sees one: its owner, shop owners, and the roles it is shared with. Who changes one or its
 * schedules: its owner, or a shop owner — a scheduled run acts as the report's owner, so letting
 * someone it is merely shared with redefine or schedule it would lend them the owner's sites.
 */

export interface SavedReportInput {
  name: string;
  definition: CustomReportDefinition;
  last_days?: number | null | undefined;
  shared_with?: Role[] | undefined;
}

export interface SavedReportJson {
  id: string;
  name: string;
  definition: CustomReportDefinition & { compare: boolean };
  last_days: number | null;
  shared_with: Role[];
  site_id: string | null;
  owner_id: string;
  created_at: string;
  updated_at: string;
  schedules: ScheduleJson[];
}

export interface ScheduleJson {
  id: string;
  saved_report_id: string;
  frequency: 'daily' | 'weekly';
  weekday: number | null;
  hour: number;
  format: 'csv' | 'xlsx';
  recipients: string[];
  next_run_at: string;
  last_run_at: string | null;
}

export function scheduleJson(row: { id: string; saved_report_id: string; frequency: 'daily' | 'weekly'; weekday: number | null; hour: number; format: 'csv' | 'xlsx'; recipients_json: string; next_run_at: number; last_run_at: number | null }): ScheduleJson {
  return {
    id: row.id,
    saved_report_id: row.saved_report_id,
    frequency: row.frequency,
    weekday: row.weekday === null ? null : Number(row.weekday),
    hour: Number(row.hour),
    format: row.format,
    recipients: JSON.parse(row.recipients_json) as string[],
    next_run_at: toIso(Number(row.next_run_at)),
    last_run_at: toIsoOrNull(row.last_run_at === null ? null : Number(row.last_run_at)),
  };
}

/** As the actor may read it: without costs, a definition does not name its cost measures either. */
function savedJson(row: SavedReportTable, schedules: ScheduleJson[], actor: Actor): SavedReportJson {
  const saved = JSON.parse(row.definition_json) as CustomReportDefinition;
  const definition = canSeeCosts(actor) ? saved : { ...saved, measures: saved.measures.filter((m) => !isCostMeasure(m)) };
  return {
    id: row.id,
    name: row.name,
    definition: { ...definition, compare: definition.compare ?? false },
    last_days: row.last_days === null ? null : Number(row.last_days),
    shared_with: JSON.parse(row.shared_roles_json) as Role[],
    site_id: row.site_id,
    owner_id: row.owner_id,
    created_at: toIso(Number(row.created_at)),
    updated_at: toIso(Number(row.updated_at)),
    schedules,
  };
}

/** Whether the actor may see a saved report at all: shared with their role (or theirs, or an owner), and its site granted. */
export function canSeeSavedReport(actor: Actor, row: Pick<SavedReportTable, 'owner_id' | 'shared_roles_json' | 'site_id'>): boolean {
  if (row.site_id !== null && actor.sites !== 'all' && !actor.sites.has(row.site_id)) return false;
  if (actor.role === 'owner' || row.owner_id === actor.id) return true;
  return (JSON.parse(row.shared_roles_json) as Role[]).includes(actor.role);
}

/** A saved report the actor may see, or 404 as if it did not exist. */
export async function loadSavedReport(ctx: ServiceContext, db: Executor, id: string): Promise<SavedReportTable> {
  const row = await db.selectFrom('saved_reports').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !canSeeSavedReport(ctx.actor, row)) throw new SavedReportError('saved_report_not_found', `No saved report ${id}.`, { saved_report_id: id });
  return row;
}

/** A saved report the actor may change: theirs, or any when they are a shop owner (403 when only shared with them). */
export async function loadOwnSavedReport(ctx: ServiceContext, db: Executor, id: string): Promise<SavedReportTable> {
  const row = await loadSavedReport(ctx, db, id);
  if (row.owner_id !== ctx.actor.id && ctx.actor.role !== 'owner') {
    throw new SavedReportError('saved_report_not_yours', 'Only its owner or a shop owner may change a saved report or its schedules; save a copy of your own instead.', { saved_report_id: id });
  }
  return row;
}

async function schedulesOf(db: Executor, reportIds: readonly string[]): Promise<Map<string, ScheduleJson[]>> {
  const out = new Map<string, ScheduleJson[]>(reportIds.map((id) => [id, []]));
  if (reportIds.length === 0) return out;
  const rows = await db.selectFrom('report_schedules').selectAll().where('saved_report_id', 'in', [...reportIds]).orderBy('id').execute();
  for (const r of rows) out.get(r.saved_report_id)?.push(scheduleJson(r));
  return out;
}

/**
 * The definition's own problems, as fields of `body.definition`. A saved report needs no dates:
 * without them a run covers its rolling `last_days`, or the seven days before (see periodOf).
 */
async function checkDefinition(ctx: ServiceContext, def: CustomReportDefinition, lastDays: number | null): Promise<void> {
  const problems = definitionProblems(def)
    .filter((p) => !(p.field === 'body.from' && p.code === 'required'))
    .map((p) => ({ ...p, field: p.field.replace(/^body\./, 'body.definition.') }));
  if (lastDays !== null && !DATASET_SPECS[def.dataset].periodic) problems.push({ field: 'body.last_days', code: 'not_in_dataset', message: `${def.dataset} is as of now; it has no period` });
  if (problems.length) throw new PlatformError('validation_failed', 'The definition names fields its dataset does not have.', { errors: problems });
  // A site the caller may not see answers 404 location_not_found, as a run would.
  if (def.filters?.site_id) await getLocation(ctx, def.filters.site_id);
}

export async function createSavedReport(ctx: ServiceContext, input: SavedReportInput): Promise<SavedReportJson> {
  const lastDays = input.last_days ?? null;
  await checkDefinition(ctx, input.definition, lastDays);
  return inTransaction(ctx, async (trx) => {
    const now = ctx.clock.now();
    const row: SavedReportTable = {
      id: newId('srp', now),
      name: input.name,
      definition_json: JSON.stringify(input.definition),
      last_days: lastDays,
      shared_roles_json: JSON.stringify([...new Set(input.shared_with ?? [])]),
      site_id: input.definition.filters?.site_id ?? null,
      owner_id: ctx.actor.id,
      owner_kind: ctx.actor.kind,
      run_as_role: ctx.actor.role,
      run_as_sites_json: JSON.stringify(ctx.actor.sites === 'all' ? 'all' : [...ctx.actor.sites].sort()),
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto('saved_reports').values(row).execute();
    return savedJson(row, [], ctx.actor);
  });
}

export async function listSavedReports(ctx: ServiceContext): Promise<SavedReportJson[]> {
  const db = reader(ctx);
  const rows = (await db.selectFrom('saved_reports').selectAll().orderBy('name').orderBy('id').execute()).filter((r) => canSeeSavedReport(ctx.actor, r));
  const schedules = await schedulesOf(db, rows.map((r) => r.id));
  return rows.map((r) => savedJson(r, schedules.get(r.id) ?? [], ctx.actor));
}

export async function getSavedReport(ctx: ServiceContext, id: string): Promise<SavedReportJson> {
  const db = reader(ctx);
  const row = await loadSavedReport(ctx, db, id);
  return savedJson(row, (await schedulesOf(db, [id])).get(id) ?? [], ctx.actor);
}

export async function updateSavedReport(ctx: ServiceContext, id: string, patch: Partial<SavedReportInput>): Promise<SavedReportJson> {
  const current = await loadOwnSavedReport(ctx, reader(ctx), id);
  const definition = patch.definition ?? (JSON.parse(current.definition_json) as CustomReportDefinition);
  const lastDays = patch.last_days === undefined ? (current.last_days === null ? null : Number(current.last_days)) : patch.last_days;
  await checkDefinition(ctx, definition, lastDays);
  return inTransaction(ctx, async (trx) => {
    const now = ctx.clock.now();
    await trx
      .updateTable('saved_reports')
      .set({
        name: patch.name ?? current.name,
        definition_json: JSON.stringify(definition),
        last_days: lastDays,
        ...(patch.shared_with ? { shared_roles_json: JSON.stringify([...new Set(patch.shared_with)]) } : {}),
        site_id: definition.filters?.site_id ?? null,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    return getSavedReport({ ...ctx, trx }, id);
  });
}

export async function deleteSavedReport(ctx: ServiceContext, id: string): Promise<void> {
  await loadOwnSavedReport(ctx, reader(ctx), id);
  await inTransaction(ctx, async (trx) => {
    await trx.deleteFrom('report_schedules').where('saved_report_id', '=', id).execute();
    await trx.deleteFrom('saved_reports').where('id', '=', id).execute();
  });
}

/**
 * The period a run covers: the dates asked for, else the saved dates, else the rolling
 * `last_days` ending yesterday, else `fallbackDays` ending yesterday (a schedule's day or week).
 */
export function periodOf(row: Pick<SavedReportTable, 'definition_json' | 'last_days'>, today: string, asked: { from?: string | undefined; to?: string | undefined }, fallbackDays = 7): { from: string; to: string } | null {
  const def = JSON.parse(row.definition_json) as CustomReportDefinition;
  if (!DATASET_SPECS[def.dataset].periodic) return null;
  if (asked.from && asked.to) return { from: asked.from, to: asked.to };
  if (row.last_days === null && def.from && def.to) return { from: def.from, to: def.to };
  const days = row.last_days === null ? fallbackDays : Number(row.last_days);
  return { from: addDays(today, -days), to: addDays(today, -1) };
}

/** Runs a saved report as the caller: their sites only; the route drops cost columns for staff. */
export async function runSavedReport(ctx: ServiceContext, id: string, asked: { from?: string | undefined; to?: string | undefined }): Promise<{ table: ReportTable; name: string }> {
  const row = await loadSavedReport(ctx, reader(ctx), id);
  const { time_zone } = await readSettings(reader(ctx));
  return { table: await runSavedRow(ctx, row, periodOf(row, localDate(ctx.clock.now(), time_zone), asked)), name: row.name };
}

export async function runSavedRow(ctx: ServiceContext, row: SavedReportTable, period: { from: string; to: string } | null): Promise<ReportTable> {
  const def = JSON.parse(row.definition_json) as CustomReportDefinition;
  const table = await customReportTable(ctx, period ? { ...def, ...period } : def);
  return { ...table, title: row.name, meta: { ...table.meta, saved_report_id: row.id } };
}

/**
 * Who a scheduled run acts as: the owner as they are now (a user's current role and grants; none
 * once they are disabled or gone, so nothing more is sent in their name), or as they were when
 * saving when the owner was a token or the system.
 */
export async function ownerActor(db: Executor, row: SavedReportTable): Promise<Actor | null> {
  if (row.owner_kind === 'user') {
    const user = await db.selectFrom('users').select(['id', 'email', 'role', 'all_sites', 'status']).where('id', '=', row.owner_id).executeTakeFirst();
    if (!user || user.status !== 'active') return null;
    const grants = await db.selectFrom('site_grants').select('site_id').where('principal_id', '=', user.id).execute();
    return userActor(user, grants.map((g) => g.site_id));
  }
  const sites = JSON.parse(row.run_as_sites_json) as 'all' | string[];
  return { kind: row.owner_kind, id: row.owner_id, label: `saved report ${row.id}`, role: row.run_as_role, sites: sites === 'all' ? 'all' : new Set(sites) };
}
