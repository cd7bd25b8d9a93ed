import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localDate } from '../../src/platform/clock.ts';
import { DeliveryWorker, writeNotificationSettings } from '../../src/modules/notifications/index.ts';
import { runDueSchedules } from '../../src/modules/reports/index.ts';
import { systemActor } from '../../src/platform/context.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { makeToken, makeUser } from '../support/access.ts';
import { MailCatcher } from '../fakes/mail-catcher.ts';

const DAY = 86_400_000;

/**
 * Saved reports: saved with a name, shared with roles, run as the caller (their sites only, no
 * costs for staff however it was saved), and emailed on a schedule through the delivery outbox
 * to a real local SMTP server, the file attached and read back.
 *
 * Two sites, A and B, each sells a MUG bought at 4.00: A sells 3 at 10.00, B sells 1 at 10.00,
 * on day 1. The saved report: sales lines by site, quantity, revenue and cost, the last 7 days.
 */
let smtp: MailCatcher;

beforeAll(async () => {
  smtp = await new MailCatcher().start();
});

afterAll(() => smtp.stop());

/** The attachment of a MIME message, decoded (nodemailer writes it in base64). */
function attachmentOf(raw: string): { filename: string; content: Buffer } {
  const at = raw.indexOf('Content-Disposition: attachment');
  expect(at, 'the email has an attachment').toBeGreaterThan(0);
  const part = raw.slice(at);
  const filename = /filename="?([^"\r\n]+)"?/.exec(part)![1]!;
  const body = part.slice(part.indexOf('\r\n\r\n') + 4);
  const base64 = body.slice(0, body.indexOf('\r\n--')).replace(/\s+/g, '');
  return { filename, content: Buffer.from(base64, 'base64') };
}

describeEachDatabase('saved reports: share, run as the caller, schedule by email', (get) => {
  let api: TestApi;
  let siteA: any;
  let siteB: any;
  let day1: string;
  const tag = `SV${Date.now().toString(36)}`;
  const definition = { dataset: 'sales_lines', dimensions: ['site'], measures: ['quantity', 'revenue', 'cost'] };

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    await api.request('PATCH', '/api/v1/settings', { body: { time_zone: 'UTC' } });
    day1 = localDate(api.clock.now(), 'UTC');
    const item = (await api.post('/api/v1/items', { sku: `${tag}-MUG`, name: 'Mug', category: tag })).body;
    for (const [code, qty] of [['A', 3], ['B', 1]] as const) {
      const site = (await api.post('/api/v1/locations', { kind: 'site', code: `${tag}${code}`, name: `Shop ${code}`, site_type: 'store' })).body;
      if (code === 'A') siteA = site;
      else siteB = site;
      expect((await api.post('/api/v1/adjustments', { location_id: site.id, reason: 'opening_balance', lines: [{ item_id: item.id, qty: 10, unit_cost: '4.00' }] })).status).toBe(201);
      const sale = await api.post('/api/v1/sales', { location_id: site.id, register: 'R1', lines: [{ item_id: item.id, qty, unit_price: '10.00' }], payments: [{ tender: 'cash', amount: `${qty * 10}.00` }] }, { 'idempotency-key': `${tag}-${code}` });
      expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    }
    api.clock.advance(DAY);
  });

  const rowsOf = (body: any) => body.data.map(({ drill, ...cells }: any) => cells);
  const bySite = (body: any) => Object.fromEntries(rowsOf(body).filter((r: any) => r.site === siteA.id || r.site === siteB.id).map((r: any) => [r.site, r]));

  it('saves, lists, reads, renames and deletes a report', async () => {
    const made = await api.post('/api/v1/saved-reports', { name: 'Weekly takings', definition, last_days: 7, shared_with: ['manager'] });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ name: 'Weekly takings', last_days: 7, shared_with: ['manager'], site_id: null, schedules: [] });
    expect(made.body.id).toMatch(/^srp_/);
    expect((await api.get('/api/v1/saved-reports')).body.data.map((r: any) => r.id)).toContain(made.body.id);
    const renamed = await api.request('PATCH', `/api/v1/saved-reports/${made.body.id}`, { body: { name: 'Takings, last 7 days' } });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Takings, last 7 days', last_days: 7, definition: { dataset: 'sales_lines' } });
    expect((await api.request('DELETE', `/api/v1/saved-reports/${made.body.id}`)).body).toEqual({ id: made.body.id, deleted: true });
    expect((await api.get(`/api/v1/saved-reports/${made.body.id}`)).status).toBe(404);
  });

  it('refuses a definition outside the whitelist, and a period on balances', async () => {
    const bad = await api.post('/api/v1/saved-reports', { name: 'Bad', definition: { dataset: 'balances', dimensions: ['item'], measures: ['revenue'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field)).toContain('body.definition.measures.0');
    // Without dates a run covers the seven days before today.
    const noPeriod = await api.post('/api/v1/saved-reports', { name: 'No period', definition });
    expect(noPeriod.status).toBe(201);
    expect((await api.get(`/api/v1/saved-reports/${noPeriod.body.id}/run`)).body.meta).toMatchObject({ from: localDate(api.clock.now() - 7 * DAY, 'UTC'), to: day1 });
    const rolling = await api.post('/api/v1/saved-reports', { name: 'Balances', definition: { dataset: 'balances', dimensions: [], measures: ['count'] }, last_days: 7 });
    expect(rolling.status).toBe(400);
  });

  it('runs as the caller: a manager of B sees B only; staff never get costs; a role not shared with gets 404', async () => {
    const saved = (await api.post('/api/v1/saved-reports', { name: 'By site', definition, last_days: 7, shared_with: ['manager', 'staff'] })).body;
    const owner = await api.get(`/api/v1/saved-reports/${saved.id}/run`);
    expect(owner.status, JSON.stringify(owner.body)).toBe(200);
    expect(owner.body.meta).toMatchObject({ from: localDate(api.clock.now() - 7 * DAY, 'UTC'), to: day1, saved_report_id: saved.id });
    expect(bySite(owner.body)).toEqual({
      [siteA.id]: { site: siteA.id, quantity: 3, revenue: '30.00', cost: '12.00' },
      [siteB.id]: { site: siteB.id, quantity: 1, revenue: '10.00', cost: '4.00' },
    });
    const managerB = await makeToken(api, 'manager', [siteB.id]);
    const asManager = await api.as({ bearer: managerB.secret }).get(`/api/v1/saved-reports/${saved.id}/run`);
    expect(asManager.status).toBe(200);
    expect(rowsOf(asManager.body)).toEqual([{ site: siteB.id, quantity: 1, revenue: '10.00', cost: '4.00' }]);
    const staff = await makeToken(api, 'staff');
    const asStaff = await api.as({ bearer: staff.secret }).get(`/api/v1/saved-reports/${saved.id}/run?from=${day1}&to=${day1}`);
    expect(asStaff.status).toBe(200);
    expect(asStaff.body.columns.map((c: any) => c.key)).toEqual(['site', 'quantity', 'revenue']);
    const staffFile = await api.as({ bearer: staff.secret }).get(`/api/v1/saved-reports/${saved.id}/export?format=csv&from=${day1}&to=${day1}`);
    expect(staffFile.status).toBe(200);
    expect(String(staffFile.body)).toMatch(/Site id,Quantity,Revenue\r\n/);
    expect(String(staffFile.body)).not.toMatch(/Cost/);
    const viewer = await makeToken(api, 'viewer');
    expect((await api.as({ bearer: viewer.secret }).get(`/api/v1/saved-reports/${saved.id}/run`)).status).toBe(404);
    expect((await api.as({ bearer: viewer.secret }).get('/api/v1/saved-reports')).body.data.map((r: any) => r.id)).not.toContain(saved.id);
    // Staff may run what is shared with them but not change it.
    expect((await api.as({ bearer: staff.secret }).request('PATCH', `/api/v1/saved-reports/${saved.id}`, { body: { name: 'Mine now' } })).status).toBe(403);
    // A manager it is shared with may not change it or schedule it: a schedule runs as its owner.
    const asManagerB = api.as({ bearer: managerB.secret });
    const patched = await asManagerB.request('PATCH', `/api/v1/saved-reports/${saved.id}`, { body: { name: 'Mine now' } });
    expect([patched.status, patched.body.code]).toEqual([403, 'saved_report_not_yours']);
    const scheduled = await asManagerB.post(`/api/v1/saved-reports/${saved.id}/schedules`, { frequency: 'daily', hour: 6, recipients: ['b@shop.example'] });
    expect([scheduled.status, scheduled.body.code]).toEqual([403, 'saved_report_not_yours']);
    expect((await asManagerB.request('DELETE', `/api/v1/saved-reports/${saved.id}`)).status).toBe(403);
  });

  it('hides a report about one site from those not granted it', async () => {
    const saved = (await api.post('/api/v1/saved-reports', { name: 'Shop A', definition: { ...definition, filters: { site_id: siteA.id } }, last_days: 7, shared_with: ['manager'] })).body;
    expect(saved.site_id).toBe(siteA.id);
    const managerB = await makeToken(api, 'manager', [siteB.id]);
    expect((await api.as({ bearer: managerB.secret }).get(`/api/v1/saved-reports/${saved.id}`)).status).toBe(404);
    expect((await api.as({ bearer: managerB.secret }).get(`/api/v1/saved-reports/${saved.id}/run`)).status).toBe(404);
    const managerA = await makeToken(api, 'manager', [siteA.id]);
    expect(rowsOf((await api.as({ bearer: managerA.secret }).get(`/api/v1/saved-reports/${saved.id}/run`)).body)).toEqual([{ site: siteA.id, quantity: 3, revenue: '30.00', cost: '12.00' }]);
  });

  it('emails a scheduled report as CSV and XLSX through the outbox to the SMTP server; a staff recipient gets no costs', { timeout: 60_000 }, async () => {
    // One SMTP server serves both databases' runs: only this run's mail counts.
    smtp.mails.length = 0;
    await writeNotificationSettings(api.db.kysely, { smtp_url: smtp.url, mail_from: 'reports@shop.example' });
    const owner = await makeUser(api, 'owner');
    const staffPerson = await makeUser(api, 'staff');
    const ownerToken = await makeToken(api, 'owner');
    const saved = (await api.post('/api/v1/saved-reports', { name: 'Takings by site', definition, shared_with: [] })).body;
    // Daily at 06:00 UTC: covers the day before.
    const now = api.clock.now();
    const daily = await api.post(`/api/v1/saved-reports/${saved.id}/schedules`, { frequency: 'daily', hour: 6, format: 'csv', recipients: [owner.email, staffPerson.email] });
    expect(daily.status, JSON.stringify(daily.body)).toBe(201);
    const next = Date.parse(daily.body.next_run_at);
    expect(next).toBeGreaterThan(now);
    expect(next - now).toBeLessThanOrEqual(DAY);
    expect(new Date(next).getUTCHours()).toBe(6);
    // Weekly on tomorrow's weekday at 07:00: its seven days before hold day 1.
    const weekday = (new Date(now + DAY).getUTCDay() + 6) % 7;
    const weekly = await api.post(`/api/v1/saved-reports/${saved.id}/schedules`, { frequency: 'weekly', weekday, hour: 7, format: 'xlsx', recipients: ['accounts@shop.example'] });
    expect(weekly.status).toBe(201);
    expect((new Date(weekly.body.next_run_at).getUTCDay() + 6) % 7).toBe(weekday);
    expect((await api.get(`/api/v1/saved-reports/${saved.id}`)).body.schedules).toHaveLength(2);
    void ownerToken;

    const ctx = { db: api.db, clock: api.clock, actor: systemActor };
    expect(await runDueSchedules(ctx)).toBe(0); // nothing due yet
    api.clock.advance(Math.max(next, Date.parse(weekly.body.next_run_at)) - now + 1000);
    expect(await runDueSchedules(ctx)).toBe(2);
    expect(await runDueSchedules(ctx)).toBe(0); // each ran once, and moved on
    const after = (await api.get(`/api/v1/saved-reports/${saved.id}`)).body.schedules;
    for (const s of after) expect(Date.parse(s.next_run_at)).toBeGreaterThan(api.clock.now());

    const worker = new DeliveryWorker({ db: api.db, clock: api.clock, workerId: 'reports-e2e', timeoutMs: 5000 });
    for (let round = 0; round < 20 && (await worker.runOnce()) > 0; round += 1);
    const mine = smtp.mails.filter((m) => m.raw.includes('Takings by site'));
    expect(mine.map((m) => m.to[0]).sort()).toEqual([owner.email, staffPerson.email, 'accounts@shop.example'].sort());

    // The daily file covers day 1 (the day before it ran) only if it ran the day after; read what it says.
    const ownerMail = mine.find((m) => m.to[0] === owner.email)!;
    const csv = attachmentOf(ownerMail.raw);
    expect(csv.filename).toMatch(/\.csv$/);
    expect(csv.content.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const ownerRows = parse(csv.content.toString('utf8').slice(1), { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(ownerRows[0]!)).toEqual(['Site id', 'Quantity', 'Revenue', 'Cost of goods']);
    const staffRows = parse(attachmentOf(mine.find((m) => m.to[0] === staffPerson.email)!.raw).content.toString('utf8').slice(1), { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(staffRows[0]!)).toEqual(['Site id', 'Quantity', 'Revenue']);

    // The weekly file: the seven days before, as a workbook with day 1's sales in it.
    const xlsx = attachmentOf(mine.find((m) => m.to[0] === 'accounts@shop.example')!.raw);
    expect(xlsx.filename).toMatch(/\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.content as never);
    const sheet = book.worksheets[0]!;
    const values = sheet.getSheetValues().slice(1).map((r: any) => (r as unknown[]).slice(1));
    expect(values[0]).toEqual(['Site id', 'Quantity', 'Revenue', 'Cost of goods']);
    const rowA = values.find((r) => r[0] === siteA.id)!;
    expect(rowA).toEqual([siteA.id, 3, 30, 12]);
  });
});
