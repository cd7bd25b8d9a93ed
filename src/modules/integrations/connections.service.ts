import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { ChannelConnectionRow } from '../../platform/db/schema.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { checkWebhookUrl, readNotificationSettings } from '../notifications/index.ts';
import { openSecret, sealSecret } from '../notifications/secret-box.ts';
import { getChannel } from '../sales/index.ts';
import type { AdapterEnv, ChannelAdapter, Credentials } from './adapter.ts';
import { IntegrationError } from './integrations.errors.ts';
import { adapterFor } from './registry.ts';
import { logSync } from './sync-log.ts';

/**
 * A sales channel's link to its platform. Credentials are sealed at rest (secret-box, under
 * STOCKROOM_SECRETS_KEY) and opened only while a job or a test call uses them; the API shows the
 * fields a person may see again (a shop domain) and only whether each secret is set.
 */

export interface ConnectionInput {
  channel_id: string;
  platform: string;
  credentials: Record<string, string>;
  base_url?: string | null | undefined;
}

/** Per-request timeout against a platform (STOCKROOM_PLATFORM_TIMEOUT_MS overrides it, for tests of slow platforms). */
export const PLATFORM_TIMEOUT_MS = 10_000;
const timeoutMs = () => Number(process.env.STOCKROOM_PLATFORM_TIMEOUT_MS) || PLATFORM_TIMEOUT_MS;

export function checkCredentials(adapter: ChannelAdapter, credentials: Record<string, string>, partial = false): void {
  const missing = partial ? [] : adapter.credentialFields.filter((f) => !credentials[f.name]?.trim());
  const unknown = Object.keys(credentials).filter((name) => !adapter.credentialFields.some((f) => f.name === name));
  const errors = [
    ...missing.map((f) => ({ field: `body.credentials.${f.name}`, code: 'required', message: `${f.label} is required` })),
    ...unknown.map((name) => ({ field: `body.credentials.${name}`, code: 'unknown', message: `${adapter.platform} has no credential ${name}` })),
  ];
  if (errors.length) throw new IntegrationError('connection_invalid', errors[0]!.message, { errors });
}

/**
 * A base URL given through the API is where the server will send credentials: like a webhook URL
 * it may not reach a private, loopback or link-local address unless the shop allows those in the
 * notification settings (a platform on its own network). Services called in-process (tests, the
 * bench) point at local fakes without it.
 */
export async function assertBaseUrl(ctx: Pick<ServiceContext, 'db'>, url: string | null | undefined): Promise<void> {
  if (!url) return;
  const settings = await readNotificationSettings(ctx.db.kysely);
  const check = await checkWebhookUrl(url, settings.webhooksAllowPrivate);
  if (!check.ok) throw new IntegrationError('connection_invalid', `The platform address is refused: ${check.reason}.`, { errors: [{ field: 'body.base_url', code: 'url_refused', message: check.reason }] });
}

export async function createConnection(ctx: ServiceContext, input: ConnectionInput): Promise<ChannelConnectionRow> {
  const adapter = adapterFor(input.platform);
  checkCredentials(adapter, input.credentials);
  return inTransaction(ctx, async (trx) => {
    const channel = await getChannel({ ...ctx, trx }, input.channel_id);
    const now = ctx.clock.now();
    const row: ChannelConnectionRow = {
      id: newId('con', now),
      channel_id: channel.id,
      platform: adapter.platform,
      credentials_sealed: sealSecret(JSON.stringify(input.credentials)),
      status: 'active',
      base_url: input.base_url ?? null,
      shop_name: null,
      last_tested_at: null,
      last_test_error: null,
      push_not_before: 0,
      // Orders older than the connection are the shop's past: the poll starts from now.
      polled_until: now,
      created_at: now,
      updated_at: now,
    };
    const inserted = await trx.insertInto('channel_connections').values(row).onConflict((oc) => oc.column('channel_id').doNothing()).returning('id').executeTakeFirst();
    if (!inserted) throw new IntegrationError('connection_exists', `Channel ${channel.name} is already connected; change that connection instead.`);
    return row;
  });
}

export async function updateConnection(
  ctx: ServiceContext,
  id: string,
  input: { credentials?: Record<string, string> | undefined; status?: 'active' | 'paused' | undefined; base_url?: string | null | undefined },
): Promise<ChannelConnectionRow> {
  return inTransaction(ctx, async (trx) => {
    const current = await getConnection({ ...ctx, trx }, id);
    const adapter = adapterFor(current.platform);
    const patch: Partial<ChannelConnectionRow> = { updated_at: ctx.clock.now() };
    if (input.credentials) {
      checkCredentials(adapter, input.credentials, true);
      // Fields left out keep their stored value, so a secret need not be typed again to change the shop name.
      patch.credentials_sealed = sealSecret(JSON.stringify({ ...credentialsOf(current), ...input.credentials }));
    }
    if (input.status) patch.status = input.status;
    if (input.base_url !== undefined) patch.base_url = input.base_url;
    await trx.updateTable('channel_connections').set(patch).where('id', '=', id).execute();
    return { ...current, ...patch };
  });
}

/** A connection, if the caller may see its channel. */
export async function getConnection(ctx: ServiceContext, id: string): Promise<ChannelConnectionRow> {
  const row = await reader(ctx).selectFrom('channel_connections').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new IntegrationError('connection_not_found', `No connection ${id}.`);
  try {
    await getChannel(ctx, row.channel_id);
  } catch {
    throw new IntegrationError('connection_not_found', `No connection ${id}.`);
  }
  return row;
}

export async function listConnections(ctx: ServiceContext): Promise<ChannelConnectionRow[]> {
  const rows = await reader(ctx).selectFrom('channel_connections').selectAll().orderBy('created_at').limit(500).execute();
  const visible: ChannelConnectionRow[] = [];
  for (const row of rows) {
    try {
      await getChannel(ctx, row.channel_id);
      visible.push(row);
    } catch {
      // Not a channel of the caller's sites.
    }
  }
  return visible;
}

export function credentialsOf(row: Pick<ChannelConnectionRow, 'credentials_sealed'>): Credentials {
  return JSON.parse(openSecret(row.credentials_sealed)) as Credentials;
}

/** What the API shows of the credentials: visible fields as they are, secrets only as set or not. */
export function credentialSummary(row: ChannelConnectionRow): Record<string, string | boolean> {
  const adapter = adapterFor(row.platform);
  const credentials = credentialsOf(row);
  return Object.fromEntries(adapter.credentialFields.map((f) => [f.name, f.secret ? Boolean(credentials[f.name]) : (credentials[f.name] ?? '')]));
}

export interface Connected {
  row: ChannelConnectionRow;
  adapter: ChannelAdapter;
  credentials: Credentials;
  env: AdapterEnv;
}

/** A connection ready to call its platform: adapter, opened credentials, and where to send requests. */
export function connected(row: ChannelConnectionRow, now: () => number, fetchImpl: typeof fetch = fetch): Connected {
  const adapter = adapterFor(row.platform);
  const credentials = credentialsOf(row);
  const baseUrl = row.base_url ?? adapter.defaultBaseUrl?.(credentials) ?? '';
  return { row, adapter, credentials, env: { baseUrl, fetch: fetchImpl, now, timeoutMs: timeoutMs() } };
}

export async function loadConnection(db: Executor, id: string): Promise<ChannelConnectionRow | undefined> {
  return db.selectFrom('channel_connections').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Calls the platform with the stored credentials (outside any transaction) and records what it said. */
export async function testConnection(ctx: ServiceContext, id: string): Promise<ChannelConnectionRow> {
  const row = await getConnection(ctx, id);
  const link = connected(row, () => ctx.clock.now());
  let shopName: string | null = row.shop_name;
  let error: string | null = null;
  try {
    shopName = (await link.adapter.testConnection(link.credentials, link.env)).shopName;
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx) => {
    await trx.updateTable('channel_connections').set({ shop_name: shopName, last_tested_at: now, last_test_error: error, updated_at: now }).where('id', '=', id).execute();
    await logSync(trx, { connectionId: id, kind: 'test', ok: error === null, detail: error ?? `connected to ${shopName}` }, now);
  });
  return { ...row, shop_name: shopName, last_tested_at: now, last_test_error: error, updated_at: now };
}
