import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';

/**
 * A local fake of Google's OAuth 2.0 token endpoint for service accounts and of the Merchant API
 * (v1) calls Stockroom makes, listening on 127.0.0.1:
 *
 * - `POST /token`: the JWT-bearer grant. The assertion's RS256 signature is verified with the
 *   public key of the service account the test made; `iss`, `aud` (this URL), `scope` and the
 *   times are checked; a bearer token comes back.
 * - `POST /products/v1/accounts/{a}/productInputs:insert?dataSource=accounts/{a}/dataSources/{d}`
 * - `POST /inventories/v1/accounts/{a}/products/{lang~label~offer}/localInventories:insert`
 *
 * - `DELETE /products/v1/accounts/{a}/productInputs/{lang~label~offer}?dataSource=…` (with its local inventories)
 *
 * The inserts check the bearer token and the body's shape as documented (required fields, enums, price
 * as amountMicros and currencyCode) and answer 400 otherwise. Faults: `throttle(n, seconds)`
 * answers the next n API calls 429 with Retry-After; `fail(n)` answers them 503.
 */

export interface FakeMerchant {
  readonly apiBase: string;
  readonly tokenUri: string;
  readonly accountId: string;
  readonly dataSource: string;
  /** The service account's JSON key file, as Google would hand it over. */
  readonly keyFile: string;
  readonly productInputs: Map<string, any>;
  /** `${offerId}|${storeCode}` → the local inventory last inserted. */
  readonly localInventories: Map<string, any>;
  readonly stats: { tokens: number; refusedAssertions: number; inserts: number; deletes: number; throttled: number; failed: number; badRequests: string[] };
  throttle(calls: number, retryAfterSeconds: number): void;
  fail(calls: number): void;
  close(): Promise<void>;
}

const AVAILABILITY = new Set(['IN_STOCK', 'LIMITED_AVAILABILITY', 'ON_DISPLAY_TO_ORDER', 'OUT_OF_STOCK']);
const CONDITION = new Set(['NEW', 'REFURBISHED', 'USED']);

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
const googleError = (res: ServerResponse, status: number, message: string) => send(res, status, { error: { code: status, message, status: status === 400 ? 'INVALID_ARGUMENT' : 'ERROR' } });

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function priceProblem(p: any): string | null {
  if (!p || typeof p !== 'object') return 'price missing';
  if (typeof p.amountMicros !== 'string' || !/^\d+$/.test(p.amountMicros)) return 'price.amountMicros must be an int64 string';
  if (typeof p.currencyCode !== 'string' || !/^[A-Z]{3}$/.test(p.currencyCode)) return 'price.currencyCode';
  return null;
}

export function productInputProblem(body: any): string | null {
  for (const f of ['offerId', 'contentLanguage', 'feedLabel']) if (typeof body?.[f] !== 'string' || body[f] === '') return `${f} is required`;
  const a = body.productAttributes;
  if (!a || typeof a !== 'object') return 'productAttributes missing';
  if (typeof a.title !== 'string' || a.title.length === 0 || [...a.title].length > 150) return 'title';
  if (typeof a.description !== 'string' || [...a.description].length > 5000) return 'description';
  for (const f of ['link', 'imageLink']) if (typeof a[f] !== 'string' || !a[f].startsWith('https://')) return `${f} must be https`;
  if (!AVAILABILITY.has(a.availability)) return 'availability';
  if (!CONDITION.has(a.condition)) return 'condition';
  if (a.gtins !== undefined && (!Array.isArray(a.gtins) || a.gtins.some((g: unknown) => typeof g !== 'string' || !/^(\d{8}|\d{12,14})$/.test(g)))) return 'gtins';
  if (a.identifierExists !== undefined && typeof a.identifierExists !== 'boolean') return 'identifierExists';
  return priceProblem(a.price);
}

export function localInventoryProblem(body: any): string | null {
  if (typeof body?.storeCode !== 'string' || body.storeCode === '') return 'storeCode is required';
  const a = body.localInventoryAttributes;
  if (!a || typeof a !== 'object') return 'localInventoryAttributes missing';
  if (!AVAILABILITY.has(a.availability)) return 'availability';
  if (a.quantity !== undefined && (typeof a.quantity !== 'string' || !/^\d+$/.test(a.quantity))) return 'quantity must be an int64 string';
  return a.price === undefined ? null : priceProblem(a.price);
}

function verifyAssertion(assertion: string, publicKey: KeyObject, clientEmail: string, tokenUri: string): string | null {
  const parts = assertion.split('.');
  if (parts.length !== 3) return 'not a JWT';
  const [h, c, s] = parts as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
  if (header.alg !== 'RS256') return 'alg';
  if (!verify('RSA-SHA256', Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s, 'base64url'))) return 'signature';
  const claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
  if (claims.iss !== clientEmail) return 'iss';
  if (claims.aud !== tokenUri) return 'aud';
  if (claims.scope !== 'https://www.googleapis.com/auth/content') return 'scope';
  if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number' || claims.exp - claims.iat > 3600 || claims.exp <= claims.iat) return 'times';
  return null;
}

export async function startFakeMerchant(): Promise<FakeMerchant> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const accountId = '1234567';
  const dataSource = '7654321';
  const clientEmail = 'stockroom@shop-project.iam.gserviceaccount.com';
  const tokens = new Set<string>();
  const productInputs = new Map<string, any>();
  const localInventories = new Map<string, any>();
  const stats = { tokens: 0, refusedAssertions: 0, inserts: 0, deletes: 0, throttled: 0, failed: 0, badRequests: [] as string[] };
  let throttleCalls = 0;
  let throttleSeconds = 1;
  let failCalls = 0;
  let base = '';

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', base);
      const raw = await bodyOf(req);
      if (req.method === 'POST' && url.pathname === '/token') {
        const form = new URLSearchParams(raw);
        if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return send(res, 400, { error: 'unsupported_grant_type' });
        const problem = verifyAssertion(form.get('assertion') ?? '', publicKey, clientEmail, `${base}/token`);
        if (problem) {
          stats.refusedAssertions += 1;
          return send(res, 400, { error: 'invalid_grant', error_description: `assertion refused: ${problem}` });
        }
        const token = randomBytes(16).toString('hex');
        tokens.add(token);
        stats.tokens += 1;
        return send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
      }
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer || !tokens.has(bearer)) return googleError(res, 401, 'Request had invalid authentication credentials.');
      if (throttleCalls > 0) {
        throttleCalls -= 1;
        stats.throttled += 1;
        return send(res, 429, { error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } }, { 'retry-after': String(throttleSeconds) });
      }
      if (failCalls > 0) {
        failCalls -= 1;
        stats.failed += 1;
        return googleError(res, 503, 'The service is currently unavailable.');
      }
      const deleteMatch = /^\/products\/v1\/accounts\/([^/]+)\/productInputs\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'DELETE' && deleteMatch) {
        const [, , offerId] = decodeURIComponent(deleteMatch[2]!).split('~');
        if (deleteMatch[1] !== accountId || url.searchParams.get('dataSource') !== `accounts/${accountId}/dataSources/${dataSource}`) return googleError(res, 400, 'dataSource');
        if (!offerId || !productInputs.has(offerId)) return googleError(res, 404, 'product input not found');
        productInputs.delete(offerId);
        for (const key of [...localInventories.keys()]) if (key.startsWith(`${offerId}|`)) localInventories.delete(key);
        stats.deletes += 1;
        return send(res, 200, {});
      }
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        return googleError(res, 400, 'Invalid JSON payload received.');
      }
      const productMatch = /^\/products\/v1\/accounts\/([^/]+)\/productInputs:insert$/.exec(url.pathname);
      if (req.method === 'POST' && productMatch) {
        const problem = productMatch[1] !== accountId ? 'account' : url.searchParams.get('dataSource') !== `accounts/${accountId}/dataSources/${dataSource}` ? 'dataSource' : productInputProblem(body);
        if (problem) {
          stats.badRequests.push(problem);
          return googleError(res, 400, problem);
        }
        stats.inserts += 1;
        productInputs.set(body.offerId, body);
        return send(res, 200, { ...body, name: `accounts/${accountId}/productInputs/${body.contentLanguage}~${body.feedLabel}~${body.offerId}`, product: `accounts/${accountId}/products/${body.contentLanguage}~${body.feedLabel}~${body.offerId}` });
      }
      const localMatch = /^\/inventories\/v1\/accounts\/([^/]+)\/products\/([^/]+)\/localInventories:insert$/.exec(url.pathname);
      if (req.method === 'POST' && localMatch) {
        const [lang, label, offerId] = decodeURIComponent(localMatch[2]!).split('~');
        const problem = localMatch[1] !== accountId ? 'account' : !offerId || !lang || !label ? 'product name' : !productInputs.has(offerId) ? 'NOT_FOUND' : localInventoryProblem(body);
        if (problem === 'NOT_FOUND') return googleError(res, 404, `product ${offerId} not found`);
        if (problem) {
          stats.badRequests.push(problem);
          return googleError(res, 400, problem);
        }
        stats.inserts += 1;
        localInventories.set(`${offerId}|${body.storeCode}`, body);
        return send(res, 200, { ...body, name: `accounts/${accountId}/products/${localMatch[2]}/localInventories/${body.storeCode}`, account: accountId });
      }
      return googleError(res, 404, 'not found');
    })().catch((error) => googleError(res, 500, String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const keyFile = JSON.stringify({
    type: 'service_account',
    project_id: 'shop-project',
    private_key_id: randomBytes(8).toString('hex'),
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: clientEmail,
    client_id: '1000000001',
    token_uri: `${base}/token`,
  });
  return {
    apiBase: base,
    tokenUri: `${base}/token`,
    accountId,
    dataSource,
    keyFile,
    productInputs,
    localInventories,
    stats,
    throttle(calls, seconds) {
      throttleCalls = calls;
      throttleSeconds = seconds;
    },
    fail(calls) {
      failCalls = calls;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
