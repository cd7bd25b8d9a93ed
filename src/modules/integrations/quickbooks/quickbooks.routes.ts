import { z } from 'zod';
import { toIso, toIsoOrNull } from '../../../platform/clock.ts';
import { canSeeSite } from '../../../platform/context.ts';
import { contextOf, runCommand, type CommandDeps } from '../../../platform/http/command.ts';
import type { AppInstance } from '../../../platform/http/route.ts';
import { currencyMinorDigits, formatMoney } from '../../../platform/money.ts';
import { readSettings } from '../../settings/index.ts';
import { ACCOUNT_ROLES, DEFAULT_ACCOUNTS, listAccountMappings, setAccountMapping, type AccountMapping } from './accounts.ts';
import { buildJournal, type Journal } from './journal.ts';
import { entryDocNumber, formatMinor, journalCsv, journalIif } from './journal-files.ts';
import { qboConfigFromEnv, type QboConfig } from './qbo-client.ts';
import { authorizeUrl, connectQuickbooks, disconnectQuickbooks, listPostings, quickbooksStatus, requireConfig, setQuickbooksOptions, syncQuickbooks, type QuickbooksStatus } from './sync.service.ts';
import {
  accountsOutput,
  authorizeQuery,
  connectBody,
  connectionOptionsBody,
  connectionOutput,
  journalExportQuery,
  journalOutput,
  journalQuery,
  postingPage,
  postingsQuery,
  setAccountBody,
  syncOutput,
} from './quickbooks.schema.ts';

const tags = ['accounting'];
const readCosts = { permission: 'costs.read' } as const;
const ownerOnly = { permission: 'settings.write' } as const;

/** A caller granted only some sites sees only their entries. */
function visibleJournal(journal: Journal, ctx: ReturnType<typeof contextOf>): Journal {
  return { ...journal, entries: journal.entries.filter((e) => canSeeSite(ctx.actor, e.siteId)) };
}

function journalJson(journal: Journal) {
  const amount = (minor: number) => formatMinor(Math.abs(minor), journal.minorDigits);
  return {
    currency: journal.currency,
    from: journal.from,
    to: journal.to,
    entries: journal.entries.map((e) => ({
      day: e.day,
      site_id: e.siteId,
      site_code: e.siteCode,
      doc_number: entryDocNumber(e),
      lines: e.lines.map((l) => ({ role: l.role, account: l.account, debit: l.amountMinor > 0 ? amount(l.amountMinor) : null, credit: l.amountMinor < 0 ? amount(l.amountMinor) : null, exact_value: l.micros === null ? null : formatMoney(l.micros), memo: l.memo })),
    })),
  };
}

function statusJson(status: QuickbooksStatus) {
  return {
    configured: status.configured,
    connected: status.connected,
    realm_id: status.realmId,
    sync_from: status.syncFrom,
    sync_sales: status.syncSales,
    last_sync_at: toIsoOrNull(status.lastSyncAt),
    access_expires_at: toIsoOrNull(status.accessExpiresAt),
    postings: { pending: status.pending, failed: status.failed, posted: status.posted },
  };
}

const mappingJson = (m: AccountMapping) => ({ site_id: m.siteId, category: m.category, role: m.role, account_name: m.accountName });
const accountsJson = (mappings: AccountMapping[]) => ({
  roles: ACCOUNT_ROLES.map((role) => ({ role, default_account: DEFAULT_ACCOUNTS[role].name, account_type: DEFAULT_ACCOUNTS[role].type })),
  mappings: mappings.map(mappingJson),
});

export function registerQuickbooksRoutes(app: AppInstance, deps: CommandDeps, config: () => QboConfig | null = () => qboConfigFromEnv()): void {
  app.get('/api/v1/accounting/journal', {
    schema: { tags, summary: "The stock journal: per day and site, the ledger's valuation changes by account, balanced to the cent", querystring: journalQuery, response: { 200: journalOutput } },
    config: { access: readCosts, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const { from, to, sales } = request.query;
      return journalJson(visibleJournal(await buildJournal(ctx, from, to, sales ? { sales: () => true } : {}), ctx));
    },
  });
  app.get('/api/v1/accounting/journal/export', {
    schema: {
      tags,
      summary: 'The stock journal as a CSV journal or an IIF file for QuickBooks Desktop',
      querystring: journalExportQuery,
      response: { 200: { description: 'The journal as a file.', content: { 'text/csv': { schema: z.string() }, 'application/x-iif': { schema: z.string() } } } },
    },
    config: { access: readCosts, errors: [] },
    handler: async (request, reply) => {
      const ctx = contextOf(deps, request);
      const { from, to, format, sales } = request.query;
      const journal = visibleJournal(await buildJournal(ctx, from, to, sales ? { sales: () => true } : {}), ctx);
      const name = `stock-journal-${from}-${to}.${format}`;
      const body = format === 'iif' ? journalIif(journal) : journalCsv(journal);
      return reply.type(format === 'iif' ? 'application/x-iif' : 'text/csv').header('content-disposition', `attachment; filename="${name}"`).send(body);
    },
  });
  app.get('/api/v1/accounting/accounts', {
    schema: { tags, summary: 'Which account each kind of valuation change is booked to, with the defaults', response: { 200: accountsOutput } },
    config: { access: readCosts, errors: [] },
    handler: async (request) => accountsJson(await listAccountMappings(contextOf(deps, request))),
  });
  app.put('/api/v1/accounting/accounts', {
    schema: { tags, summary: 'Map a role to an account, for the whole shop or one site and/or category', description: 'Changing the account of days already synced posts correcting entries that move their balances.', body: setAccountBody, response: { 200: accountsOutput } },
    config: { access: ownerOnly, errors: [] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => accountsJson(await setAccountMapping(ctx, { role: request.body.role, siteId: request.body.site_id, category: request.body.category, accountName: request.body.account_name }))),
  });

  app.get('/api/v1/quickbooks/connection', {
    schema: { tags, summary: 'Whether QuickBooks Online is connected, and how the posting log stands', response: { 200: connectionOutput } },
    config: { access: readCosts, errors: [] },
    handler: async (request) => statusJson(await quickbooksStatus(contextOf(deps, request), config())),
  });
  app.get('/api/v1/quickbooks/authorize-url', {
    schema: { tags, summary: "The address of Intuit's consent page, to start connecting", querystring: authorizeQuery, response: { 200: z.object({ url: z.string() }) } },
    config: { access: ownerOnly, errors: ['quickbooks_not_configured'] },
    handler: async (request) => ({ url: authorizeUrl(requireConfig(config()), request.query.state) }),
  });
  // Connecting and syncing call QuickBooks, so they do not run inside a command's transaction:
  // the service writes its own short transactions after each answer.
  app.post('/api/v1/quickbooks/connection', {
    schema: { tags, summary: 'Connect QuickBooks Online with the authorization code Intuit sent back', body: connectBody, response: { 200: connectionOutput } },
    config: { access: ownerOnly, errors: ['quickbooks_not_configured', 'quickbooks_auth_failed'] },
    handler: async (request) => statusJson(await connectQuickbooks(contextOf(deps, request), requireConfig(config()), { code: request.body.code, realmId: request.body.realm_id, syncFrom: request.body.sync_from, syncSales: request.body.sync_sales })),
  });
  app.patch('/api/v1/quickbooks/connection', {
    schema: { tags, summary: 'Change how QuickBooks Online is synced: whether the daily journal also books sales', description: 'Days already booked keep the scope they were booked with; their corrections too.', body: connectionOptionsBody, response: { 200: connectionOutput } },
    config: { access: ownerOnly, errors: ['quickbooks_not_connected'] },
    handler: (request, reply) => runCommand(deps, request, reply, async (ctx) => statusJson(await setQuickbooksOptions(ctx, config(), { syncSales: request.body.sync_sales }))),
  });
  app.delete('/api/v1/quickbooks/connection', {
    schema: { tags, summary: 'Disconnect QuickBooks Online (the posting log is kept)', response: { 200: z.object({ disconnected: z.boolean() }) } },
    config: { access: ownerOnly, errors: [] },
    handler: (request, reply) => runCommand(deps, request, reply, (ctx) => disconnectQuickbooks(ctx)),
  });
  app.post('/api/v1/quickbooks/sync', {
    schema: { tags, summary: 'Sync now: book every day not yet booked, correct changed days, send bills and vendor credits, retry what failed', response: { 200: syncOutput } },
    config: { access: ownerOnly, errors: ['quickbooks_not_configured', 'quickbooks_auth_failed'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const status = await quickbooksStatus(ctx, config());
      if (!status.connected) return { status: 'not_connected' as const, window: null, planned: 0, posted: 0, failed: 0, throttled: false };
      return syncQuickbooks(ctx, requireConfig(config()));
    },
  });
  app.get('/api/v1/quickbooks/postings', {
    schema: { tags, summary: 'The sync log: each posting with its QuickBooks id, attempts and last error', querystring: postingsQuery, response: { 200: postingPage } },
    config: { access: readCosts, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const digits = currencyMinorDigits((await readSettings(ctx.db.kysely)).base_currency);
      const page = await listPostings(ctx, request.query);
      return {
        next_cursor: page.next_cursor,
        data: page.data.map((p) => ({
          id: p.id,
          kind: p.kind,
          doc_number: p.docNumber,
          request_id: p.requestId,
          day: p.day,
          site_id: p.siteId,
          document_id: p.documentId,
          revision: p.revision,
          total: formatMinor(p.totalMinor, digits),
          status: p.status,
          quickbooks_id: p.qboId,
          attempts: p.attempts,
          last_error: p.lastError,
          created_at: toIso(p.createdAt),
          posted_at: toIsoOrNull(p.postedAt),
        })),
      };
    },
  });
}
