import { isIP } from 'node:net';

/**
 * Which reverse proxies the server believes about the client's address (X-Forwarded-For) and
 * scheme (X-Forwarded-Proto). Believing every hop lets any client write its own address into the
 * header, and with it dodge the sign-in throttle and the rate limit and forge the audit log's
 * address. So the server believes either a number of hops counted from itself (one: the proxy in
 * front of it; the address that proxy saw is the client's) or only proxies at given addresses
 * or CIDR ranges (the client is the first address from the right that is not one of them).
 */
export type TrustProxy = false | { hops: number } | { addresses: string[] };

export const TRUST_PROXY_HOPS_MAX = 10;

/** Names proxy-addr knows for whole ranges. */
const rangeNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrRange(text: string): boolean {
  if (rangeNames.has(text)) return true;
  const [address, bits, extra] = text.split('/');
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

/**
 * Reads `--trust-proxy` / TRUST_PROXY: absent, empty, `0`, `false` or `no` trust nothing; the bare
 * flag, `true` or `yes` trust one hop; a number trusts that many hops; anything else is a
 * comma-separated list of proxy addresses or CIDR ranges (or loopback, linklocal, uniquelocal).
 */
export function parseTrustProxy(value: string | boolean | number | undefined): TrustProxy {
  if (value === undefined || value === false) return false;
  if (value === true) return { hops: 1 };
  const text = String(value).trim().toLowerCase();
  if (text === '' || text === '0' || text === 'false' || text === 'no') return false;
  if (text === 'true' || text === 'yes') return { hops: 1 };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > TRUST_PROXY_HOPS_MAX) throw new Error(`--trust-proxy: at most ${TRUST_PROXY_HOPS_MAX} hops`);
    return { hops };
  }
  const addresses = text.split(',').map((a) => a.trim()).filter((a) => a !== '');
  const bad = addresses.filter((a) => !isAddressOrRange(a));
  if (addresses.length === 0 || bad.length > 0) {
    throw new Error(`--trust-proxy takes a number of hops or proxy addresses/CIDR ranges, not ${bad.join(', ') || JSON.stringify(value)}`);
  }
  return { addresses };
}

/**
 * The value Fastify's `trustProxy` option takes for it. Hops become proxy-addr's trust function
 * (hop 0 is the socket's peer): what Fastify does itself for a number, which its types omit.
 */
export function fastifyTrustProxy(trust: TrustProxy | boolean | undefined): false | string[] | ((address: string, hop: number) => boolean) {
  const parsed = typeof trust === 'boolean' || trust === undefined ? parseTrustProxy(trust) : trust;
  if (parsed === false) return false;
  if ('addresses' in parsed) return parsed.addresses;
  const hops = parsed.hops;
  return (_address, hop) => hop < hops;
}
