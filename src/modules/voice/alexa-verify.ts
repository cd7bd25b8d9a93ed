import { verify as verifySignature, X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { Clock } from '../../platform/clock.ts';
import { VoiceError } from './voice.errors.ts';

/**
 * Amazon's rules for trusting a request sent to a custom skill's endpoint, in the order they are
 * checked: the certificate chain URL must point at Amazon's bucket; the chain it names must be
 * valid now, name echo-api.amazon.com, and lead to a root we trust; the body must be signed by
 * that certificate (SHA-256 over the bytes as sent, so the raw body, never a re-serialisation);
 * and only then, for a body known to be Amazon's, its timestamp must be within 150 seconds and its
 * skill id ours. Downloaded chains are cached by URL: Amazon rotates them rarely, and a request
 * must not wait on S3 each time. The trust roots are the system's; a test passes its own.
 */

export const ALEXA_TIMESTAMP_TOLERANCE_MS = 150_000;
const SIGNING_NAME = 'echo-api.amazon.com';
/** A chain is a few kilobytes; more is not Amazon's. */
const CHAIN_BYTES_MAX = 64 * 1024;
const CHAIN_CACHE_MAX = 16;
const FETCH_TIMEOUT_MS = 5_000;

export type ChainFetcher = (url: string) => Promise<string>;

export interface AlexaVerifierOptions {
  clock: Clock;
  /** The skill's application id (`amzn1.ask.skill.…`); without one no request is accepted. */
  skillId: string | null;
  /** Tests only: PEM certificates to trust instead of the system's roots. */
  trustedRootsPem?: readonly string[];
  /** Tests only: where chains come from instead of an HTTPS download. */
  fetchChain?: ChainFetcher;
}

export interface SignedRequest {
  certificateUrl: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  timestamp: string | undefined;
  applicationId: string | undefined;
}

/** Checks the URL as Amazon requires; returns it normalised (the cache key). */
export function checkCertificateUrl(url: string | undefined): string {
  const refuse = (why: string) => new VoiceError('alexa_certificate_url_invalid', `The SignatureCertChainUrl ${why}.`);
  if (!url) throw refuse('header is missing');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('is not a URL');
  }
  if (parsed.protocol !== 'https:') throw refuse('must use https');
  // URL lower-cases the host and resolves dot segments, which is the normalisation Amazon asks for.
  if (parsed.hostname !== 's3.amazonaws.com') throw refuse('must be on s3.amazonaws.com');
  if (parsed.port !== '' && parsed.port !== '443') throw refuse('must use port 443');
  if (!parsed.pathname.startsWith('/echo.api/')) throw refuse('path must start with /echo.api/');
  return parsed.href;
}

async function downloadChain(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
  if (!response.ok) throw new Error(`status ${response.status}`);
  const text = await response.text();
  if (text.length > CHAIN_BYTES_MAX) throw new Error('too large');
  return text;
}

export function parseChain(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

function isValidAt(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

export class AlexaVerifier {
  private readonly roots: X509Certificate[];
  private readonly chains = new Map<string, X509Certificate[]>();
  private readonly fetchChain: ChainFetcher;

  constructor(private readonly options: AlexaVerifierOptions) {
    this.roots = (options.trustedRootsPem ?? rootCertificates).flatMap(parseChain);
    this.fetchChain = options.fetchChain ?? downloadChain;
  }

  get configured(): boolean {
    return this.options.skillId !== null;
  }

  async verify(request: SignedRequest): Promise<void> {
    if (!this.options.skillId) throw new VoiceError('alexa_not_configured', 'This server has no Alexa skill id configured (STOCKROOM_ALEXA_SKILL_ID).');
    const url = checkCertificateUrl(request.certificateUrl);
    const chain = await this.trustedChain(url);
    this.checkSignature(chain[0]!, request);
    const sentAt = request.timestamp ? Date.parse(request.timestamp) : NaN;
    if (!Number.isFinite(sentAt) || Math.abs(this.options.clock.now() - sentAt) > ALEXA_TIMESTAMP_TOLERANCE_MS) {
      throw new VoiceError('alexa_timestamp_invalid', 'The request timestamp is more than 150 seconds from now; it may be a replay.');
    }
    if (request.applicationId !== this.options.skillId) throw new VoiceError('alexa_skill_mismatch', 'The request is for another skill.');
  }

  private checkSignature(leaf: X509Certificate, request: SignedRequest): void {
    const signature = request.signature ? Buffer.from(request.signature, 'base64') : Buffer.alloc(0);
    let good = false;
    try {
      good = signature.length > 0 && verifySignature('sha256', request.rawBody, leaf.publicKey, signature);
    } catch {
      good = false;
    }
    if (!good) throw new VoiceError('alexa_signature_invalid', 'The Signature-256 header does not verify over the request body with the signing certificate.');
  }

  private async trustedChain(url: string): Promise<X509Certificate[]> {
    const now = this.options.clock.now();
    const cached = this.chains.get(url);
    // A cached chain is still checked against the clock: a certificate expires while cached.
    if (cached) {
      this.checkChain(cached, now);
      return cached;
    }
    let pem: string;
    try {
      pem = await this.fetchChain(url);
    } catch (error) {
      throw new VoiceError('alexa_certificate_invalid', `The signing certificate chain could not be downloaded (${(error as Error).message}).`);
    }
    let chain: X509Certificate[];
    try {
      chain = parseChain(pem);
    } catch {
      throw new VoiceError('alexa_certificate_invalid', 'The signing certificate chain is not PEM certificates.');
    }
    this.checkChain(chain, now);
    if (this.chains.size >= CHAIN_CACHE_MAX) this.chains.delete(this.chains.keys().next().value!);
    this.chains.set(url, chain);
    return chain;
  }

  private checkChain(chain: X509Certificate[], now: number): void {
    const refuse = (why: string) => new VoiceError('alexa_certificate_invalid', `The signing certificate ${why}.`);
    const leaf = chain[0];
    if (!leaf) throw refuse('chain is empty');
    if (!chain.every((c) => isValidAt(c, now))) throw refuse('chain is outside its validity dates');
    const names = (leaf.subjectAltName ?? '').split(', ');
    if (!names.includes(`DNS:${SIGNING_NAME}`)) throw refuse(`does not name ${SIGNING_NAME}`);
    for (let i = 0; i + 1 < chain.length; i += 1) {
      if (!chain[i + 1]!.ca || !issuedBy(chain[i]!, chain[i + 1]!)) throw refuse('chain is broken');
    }
    const top = chain[chain.length - 1]!;
    const trusted = this.roots.some((root) => root.fingerprint256 === top.fingerprint256 || (root.ca && issuedBy(top, root)));
    if (!trusted) throw refuse('chain does not lead to a trusted root');
  }
}
