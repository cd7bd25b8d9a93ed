import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * The server-side request forgery guard: a webhook URL whose host resolves to a private,
 * loopback, link-local or otherwise non-public address is refused, unless the owner allowed
 * private addresses (notification setting `webhooks_allow_private`). It is asked when a
 * subscription is made or changed and again for the address each request actually connects to
 * (see webhook.channel.ts), so a name that later resolves elsewhere (DNS rebinding) is caught.
 */
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  blocked.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

/** True when `address` (an IP literal) is not a public unicast address. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return true;
}

const lookupTimeoutMs = 3000;

/** dns.lookup has no timeout of its own; a resolver that does not answer counts as no answer. */
async function resolveWithin(host: string, ms: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('lookup timed out')), ms);
  });
  try {
    return (await Promise.race([lookup(host, { all: true, verbatim: true }), timeout])).map((a) => a.address);
  } finally {
    clearTimeout(timer);
  }
}

export type UrlCheck = { ok: true } | { ok: false; reason: string };

/** Checks a webhook URL's shape and every address its host resolves to. */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'only http and https URLs can receive webhooks' };
  if (url.username || url.password) return { ok: false, reason: 'credentials in the URL are not accepted; the signature authenticates the sender' };
  if (allowPrivate) return { ok: true };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolveWithin(host, lookupTimeoutMs);
  } catch {
    // A name that does not resolve now reaches nothing now; it is checked again, on the address
    // actually connected to, at every send. (Refusing it would also refuse every URL on a shop
    // server without outside DNS.)
    return { ok: true };
  }
  const refused = addresses.find(isPrivateAddress);
  if (refused !== undefined) return { ok: false, reason: `${host} resolves to ${refused}, a private, loopback or link-local address (allow private addresses in the notification settings to use it)` };
  return { ok: true };
}
