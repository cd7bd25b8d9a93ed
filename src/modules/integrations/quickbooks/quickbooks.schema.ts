import { z } from 'zod';
import { dateInput } from '../../../platform/http/fields.ts';
import { cursorParam, limitParam, pageSchema } from '../../../platform/http/pagination.ts';
import { ACCOUNT_ROLES } from './accounts.ts';

export const journalQuery = z.strictObject({
  from: dateInput.meta({ description: 'First local day (YYYY-MM-DD).' }),
  to: dateInput.meta({ description: 'Last local day, inclusive; at most 366 days after `from`.' }),
  sales: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .meta({ description: '`true` also books sales: revenue net of tax, discounts, tax collected and the clearing account, with returns reversing them.' }),
});

export const journalExportQuery = journalQuery.extend({
  format: z.enum(['csv', 'iif']).default('csv').meta({ description: '`csv`: date, account, debit, credit, memo. `iif`: QuickBooks Desktop GENERAL JOURNAL transactions.' }),
});

const journalLineOutput = z.object({
  role: z.enum(ACCOUNT_ROLES),
  account: z.string(),
  debit: z.string().nullable(),
  credit: z.string().nullable(),
  exact_value: z.string().nullable().meta({ description: "Stockroom's exact figure behind the line (six decimals); null for the rounding line." }),
  memo: z.string(),
});

export const journalOutput = z
  .object({
    currency: z.string(),
    from: z.string(),
    to: z.string(),
    entries: z.array(z.object({ day: z.string(), site_id: z.string(), site_code: z.string(), doc_number: z.string(), lines: z.array(journalLineOutput) })),
  })
  .meta({ id: 'AccountingJournal' });

const mappingOutput = z.object({ site_id: z.string().nullable(), category: z.string().nullable(), role: z.enum(ACCOUNT_ROLES), account_name: z.string() });

export const accountsOutput = z
  .object({
    roles: z.array(z.object({ role: z.enum(ACCOUNT_ROLES), default_account: z.string(), account_type: z.string() })),
    mappings: z.array(mappingOutput),
  })
  .meta({ id: 'AccountingAccounts' });

export const setAccountBody = z.strictObject({
  role: z.enum(ACCOUNT_ROLES),
  site_id: z.string().regex(/^loc_[0-9A-Z]{26}$/).nullable().default(null).meta({ description: 'A site, or null for every site.' }),
  category: z.string().trim().min(1).max(100).nullable().default(null).meta({ description: 'An item category, or null for every category.' }),
  account_name: z.string().trim().min(1).max(100).nullable().meta({ description: 'The account in the chart of accounts; null removes the mapping (the next wider one applies).' }),
});

export const connectionOutput = z
  .object({
    configured: z.boolean(),
    connected: z.boolean(),
    realm_id: z.string().nullable(),
    sync_from: z.string().nullable(),
    sync_sales: z.boolean().meta({ description: 'Whether the daily journal also books sales (days booked keep the scope they were booked with).' }),
    last_sync_at: z.string().nullable(),
    access_expires_at: z.string().nullable(),
    postings: z.object({ pending: z.number().int(), failed: z.number().int(), posted: z.number().int() }),
  })
  .meta({ id: 'QuickbooksConnection' });

export const connectBody = z.strictObject({
  code: z.string().min(1).max(2000).meta({ description: 'The authorization code Intuit sent back to the redirect URI.' }),
  realm_id: z.string().regex(/^\d{1,32}$/).meta({ description: "The company's realmId, sent back with the code." }),
  sync_from: dateInput.optional().meta({ description: 'First local day to book (default today); earlier days are the opening balance.' }),
  sync_sales: z.boolean().default(false).meta({ description: 'Also book sales in the daily journal (off by default).' }),
});

export const connectionOptionsBody = z.strictObject({
  sync_sales: z.boolean().meta({ description: 'Book sales in the daily journal from the next day booked on; days already booked keep their scope.' }),
});

export const authorizeQuery = z.strictObject({ state: z.string().min(16).max(200).meta({ description: 'A random value the caller keeps and checks when Intuit redirects back.' }) });

export const syncOutput = z.object({
  status: z.enum(['synced', 'incomplete', 'not_connected']),
  window: z.object({ from: z.string(), to: z.string() }).nullable(),
  planned: z.number().int(),
  posted: z.number().int(),
  failed: z.number().int(),
  throttled: z.boolean(),
});

export const postingsQuery = z.strictObject({ status: z.enum(['pending', 'posted', 'failed']).optional(), limit: limitParam, cursor: cursorParam });

export const postingPage = pageSchema(
  z
    .object({
      id: z.string(),
      kind: z.string(),
      doc_number: z.string(),
      request_id: z.string(),
      day: z.string().nullable(),
      site_id: z.string().nullable(),
      document_id: z.string().nullable(),
      revision: z.number().int(),
      total: z.string(),
      status: z.string(),
      quickbooks_id: z.string().nullable(),
      attempts: z.number().int(),
      last_error: z.string().nullable(),
      created_at: z.string(),
      posted_at: z.string().nullable(),
    })
    .meta({ id: 'QuickbooksPosting' }),
);
