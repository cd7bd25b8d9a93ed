import { localDate, startOfLocalDay, systemClock } from '../../platform/clock.ts';
import { canSeeCosts, inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { Database } from '../../platform/db/database.ts';
import type { ReportScheduleTable } from '../../platform/db/schema.ts';
import { transact, type Executor } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { enqueueDelivery, registerAttachmentRenderer } from '../notifications/index.ts';
import { readSettings } from '../settings/index.ts';
import { addDays } from './report-scope.ts';
import { tableCsv, tableXlsx, visibleTable, XLSX_MEDIA_TYPE } from './report-table.ts';
import { SavedReportError } from './saved-reports.errors.ts';
import { loadOwnSavedReport, ownerActor, periodOf, runSavedRow, scheduleJson, type ScheduleJson } from './saved-reports.service.ts';

/**
 * Saved reports sent by email on a schedule, as CSV or XLSX. A job finds the schedules that are
 * due, and in one transaction per schedule moves it to its next time, records the run (the
 * period it covers) and queues one email per recipient in the delivery outbox. The file is not
 * stored: the email carries it by reference and the delivery worker makes it when it sends, by
 * running the saved report as its owner is then (their role and sites). A recipient who is a
 * staff member gets it without cost columns.
 */

export const SCHEDULED_REPORT_EVENT = 'report.scheduled';
const FILE_KIND = 'saved_report_file';
const HOUR_MS = 3_600_000;

export interface ScheduleInput {
  frequency: 'daily' | 'weekly';
  weekday?: number | null | undefined;
  hour: number;
  format: 'csv' | 'xlsx';
  recipients: string[];
}

/** Monday 0 … Sunday 6. */
function weekdayOf(date: string): number {
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
}

/**
 * The first instant after `now` at `hour` o'clock in the shop's time zone on a matching day (any
 * day, or the weekday). Local midnight plus the hours: on the two days a year the clocks change
 * it is an hour off, as the alert digest is.
 */
export function nextRunAt(schedule: Pick<ScheduleInput, 'frequency' | 'weekday' | 'hour'>, now: number, timeZone: string): number {
  const today = localDate(now, timeZone);
  for (let d = 0; d <= 8; d += 1) {
    const date = addDays(today, d);
    if (schedule.frequency === 'weekly' && weekdayOf(date) !== schedule.weekday) continue;
    const at = startOfLocalDay(date, timeZone) + schedule.hour * HOUR_MS;
    if (at > now) return at;
  }
  throw new Error('no next run within eight days');
}

function normalized(input: ScheduleInput): ScheduleInput {
  return { ...input, weekday: input.frequency === 'weekly' ? (input.weekday ?? 0) : null, recipients: [...new Set(input.recipients.map((r) => r.trim()))] };
}

async function loadSchedule(db: Executor, reportId: string, scheduleId: string): Promise<ReportScheduleTable> {
  const row = await db.selectFrom('report_schedules').selectAll().where('id', '=', scheduleId).where('saved_report_id', '=', reportId).executeTakeFirst();
  if (!row) throw new SavedReportError('report_schedule_not_found', `No schedule ${scheduleId} on saved report ${reportId}.`, { schedule_id: scheduleId });
  return row;
}

export async function createSchedule(ctx: ServiceContext, reportId: string, raw: ScheduleInput): Promise<ScheduleJson> {
  await loadOwnSavedReport(ctx, reader(ctx), reportId);
  const input = normalized(raw);
  return inTransaction(ctx, async (trx) => {
    const now = ctx.clock.now();
    const { time_zone } = await readSettings(trx);
    const row: ReportScheduleTable = {
      id: newId('rsc', now),
      saved_report_id: reportId,
      frequency: input.frequency,
      weekday: input.weekday ?? null,
      hour: input.hour,
      format: input.format,
      recipients_json: JSON.stringify(input.recipients),
      next_run_at: nextRunAt(input, now, time_zone),
      last_run_at: null,
      created_by: ctx.actor.id,
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto('report_schedules').values(row).execute();
    return scheduleJson(row);
  });
}

export async function updateSchedule(ctx: ServiceContext, reportId: string, scheduleId: string, patch: Partial<ScheduleInput>): Promise<ScheduleJson> {
  await loadOwnSavedReport(ctx, reader(ctx), reportId);
  return inTransaction(ctx, async (trx) => {
    const current = await loadSchedule(trx, reportId, scheduleId);
    const input = normalized({
      frequency: patch.frequency ?? current.frequency,
      weekday: patch.weekday === undefined ? current.weekday : patch.weekday,
      hour: patch.hour ?? Number(current.hour),
      format: patch.format ?? current.format,
      recipients: patch.recipients ?? (JSON.parse(current.recipients_json) as string[]),
    });
    const now = ctx.clock.now();
    const { time_zone } = await readSettings(trx);
    const set = { frequency: input.frequency, weekday: input.weekday ?? null, hour: input.hour, format: input.format, recipients_json: JSON.stringify(input.recipients), next_run_at: nextRunAt(input, now, time_zone), updated_at: now };
    await trx.updateTable('report_schedules').set(set).where('id', '=', scheduleId).execute();
    return scheduleJson({ ...current, ...set });
  });
}

export async function deleteSchedule(ctx: ServiceContext, reportId: string, scheduleId: string): Promise<void> {
  await loadOwnSavedReport(ctx, reader(ctx), reportId);
  await inTransaction(ctx, async (trx) => {
    await loadSchedule(trx, reportId, scheduleId);
    await trx.deleteFrom('report_schedules').where('id', '=', scheduleId).execute();
  });
}

/** The job: every due schedule moves on to its next time and queues its emails. Returns how many ran. */
export async function runDueSchedules(ctx: ServiceContext): Promise<number> {
  const now = ctx.clock.now();
  const due = await ctx.db.kysely.selectFrom('report_schedules').selectAll().where('next_run_at', '<=', now).orderBy('next_run_at').limit(100).execute();
  let ran = 0;
  for (const schedule of due) if (await runSchedule(ctx.db, schedule, now)) ran += 1;
  return ran;
}

async function runSchedule(db: Database, schedule: ReportScheduleTable, now: number): Promise<boolean> {
  return transact(db, async (trx) => {
    const { time_zone } = await readSettings(trx);
    // Claimed by moving it on; another instance that read the same row finds it moved and stops.
    const claimed = await trx
      .updateTable('report_schedules')
      .set({ next_run_at: nextRunAt(schedule, now, time_zone), last_run_at: now, updated_at: now })
      .where('id', '=', schedule.id)
      .where('next_run_at', '=', schedule.next_run_at)
      .executeTakeFirst();
    if (claimed.numUpdatedRows === 0n) return false;
    const report = await trx.selectFrom('saved_reports').selectAll().where('id', '=', schedule.saved_report_id).executeTakeFirst();
    if (!report) return false;
    const period = periodOf(report, localDate(now, time_zone), {}, schedule.frequency === 'daily' ? 1 : 7);
    const runId = newId('rsr', now);
    const extension = schedule.format;
    // No spaces: mail clients show a folded file name badly.
    const base = report.name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '') || 'report';
    const filename = `${base}${period ? `_${period.from}_${period.to}` : ''}.${extension}`;
    const when = period ? (period.from === period.to ? period.from : `${period.from} to ${period.to}`) : localDate(now, time_zone);
    let first: string | null = null;
    for (const recipient of JSON.parse(schedule.recipients_json) as string[]) {
      const id = await enqueueDelivery(
        trx,
        {
          channel: 'email',
          destination: recipient.toLowerCase(),
          eventType: SCHEDULED_REPORT_EVENT,
          payload: {
            to: [recipient],
            subject: `${report.name} — ${when}`,
            text: `The report "${report.name}" for ${when} is attached (${extension.toUpperCase()}).\n\nSent by Stockroom on a schedule; change or stop it under Reports → Saved reports.\n`,
            attachments: [{ kind: FILE_KIND, id: `${runId} ${recipient.toLowerCase()}`, filename }],
          },
        },
        now,
      );
      first ??= id;
    }
    await trx
      .insertInto('report_schedule_runs')
      .values({ id: runId, schedule_id: schedule.id, saved_report_id: report.id, from_date: period?.from ?? null, to_date: period?.to ?? null, format: schedule.format, delivery_id: first, created_at: now })
      .execute();
    return true;
  });
}

/** Makes a scheduled run's file when its email is sent: the saved report as its owner, without costs for a staff recipient. */
export async function renderScheduledFile(db: Database, reference: string): Promise<{ content: Buffer; contentType: string }> {
  const [runId, recipient = ''] = reference.split(' ');
  const run = await db.kysely.selectFrom('report_schedule_runs').selectAll().where('id', '=', runId!).executeTakeFirst();
  const report = run && (await db.kysely.selectFrom('saved_reports').selectAll().where('id', '=', run.saved_report_id).executeTakeFirst());
  if (!run || !report) throw new Error(`the scheduled report run ${runId} or its saved report is gone`);
  const actor = await ownerActor(db.kysely, report);
  if (!actor) throw new Error(`the owner of saved report ${report.id} is no longer active`);
  const table = await runSavedRow({ db, clock: systemClock, actor }, report, run.from_date && run.to_date ? { from: run.from_date, to: run.to_date } : null);
  const person = await db.kysely.selectFrom('users').select('role').where('email_key', '=', recipient).executeTakeFirst();
  const visible = visibleTable(table, canSeeCosts(actor) && person?.role !== 'staff');
  if (run.format === 'xlsx') return { content: await tableXlsx(visible), contentType: XLSX_MEDIA_TYPE };
  return { content: Buffer.from(tableCsv(visible), 'utf8'), contentType: 'text/csv; charset=utf-8' };
}

registerAttachmentRenderer(FILE_KIND, renderScheduledFile);
