import { execFileSync } from 'node:child_process';
import { sign } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A stand-in for Amazon's side of an Alexa skill: a certificate authority made for the test (a
 * root, an intermediate and a signing certificate naming echo-api.amazon.com, as Amazon's chain
 * is), the chain served at an Amazon-shaped URL, and request envelopes signed as Alexa signs them
 * (RSA SHA-256 over the exact body, base64 in Signature-256). A second, unrelated authority signs
 * "foreign" chains that no trusted root leads to. Made with the openssl command line, which Node
 * lacks an API for (node:crypto verifies certificates but cannot issue them).
 */

export const CHAIN_URL = 'https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem';
export const FOREIGN_CHAIN_URL = 'https://s3.amazonaws.com/echo.api/echo-api-cert-foreign.pem';
export const SKILL_ID = 'amzn1.ask.skill.00000000-0000-0000-0000-000000000021';

interface Authority {
  rootPem: string;
  chainPem: string;
  leafKeyPem: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

function makeAuthority(dir: string, tag: string, leafName: string): Authority {
  const f = (name: string) => path.join(dir, `${tag}-${name}`);
  fs.writeFileSync(f('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  fs.writeFileSync(f('leaf.ext'), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=DNS:${leafName}\n`);
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('root.key'), '-out', f('root.pem'), '-days', '30', '-subj', `/CN=Test Root ${tag}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('int.key'), '-out', f('int.csr'), '-subj', `/CN=Test Intermediate ${tag}`]);
  openssl(dir, ['x509', '-req', '-in', f('int.csr'), '-CA', f('root.pem'), '-CAkey', f('root.key'), '-CAcreateserial', '-out', f('int.pem'), '-days', '30', '-extfile', f('ca.ext')]);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', `/CN=${leafName}`]);
  openssl(dir, ['x509', '-req', '-in', f('leaf.csr'), '-CA', f('int.pem'), '-CAkey', f('int.key'), '-CAcreateserial', '-out', f('leaf.pem'), '-days', '30', '-extfile', f('leaf.ext')]);
  const read = (name: string) => fs.readFileSync(f(name), 'utf8');
  return { rootPem: read('root.pem'), chainPem: read('leaf.pem') + read('int.pem'), leafKeyPem: read('leaf.key') };
}

export interface FakeAlexa {
  trustedRootsPem: string[];
  /** The chains Amazon's bucket would serve, by URL; counts downloads. */
  fetchChain: (url: string) => Promise<string>;
  downloads: () => number;
  /** Headers and body of a request signed with the test authority (or the foreign one, or another certificate). */
  signed(envelope: unknown, options?: { url?: string; key?: 'trusted' | 'foreign' | 'misnamed'; tamper?: boolean }): { headers: Record<string, string>; rawBody: string };
  cleanup(): void;
}

export function makeFakeAlexa(): FakeAlexa {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-alexa-'));
  const trusted = makeAuthority(dir, 'amazon', 'echo-api.amazon.com');
  const foreign = makeAuthority(dir, 'foreign', 'echo-api.amazon.com');
  // Issued by a trusted root, but to another name: a certificate for some other service.
  const misnamed = makeAuthority(dir, 'misnamed', 'example.com');
  const chains = new Map([
    [CHAIN_URL, trusted.chainPem],
    [FOREIGN_CHAIN_URL, foreign.chainPem],
    ['https://s3.amazonaws.com/echo.api/misnamed.pem', misnamed.chainPem],
  ]);
  let downloads = 0;
  const keys = { trusted: trusted.leafKeyPem, foreign: foreign.leafKeyPem, misnamed: misnamed.leafKeyPem };
  return {
    trustedRootsPem: [trusted.rootPem, misnamed.rootPem],
    fetchChain: async (url) => {
      downloads += 1;
      const pem = chains.get(url);
      if (!pem) throw new Error('404 from the bucket');
      return pem;
    },
    downloads: () => downloads,
    signed(envelope, options = {}) {
      const rawBody = JSON.stringify(envelope);
      const signature = sign('sha256', Buffer.from(rawBody), keys[options.key ?? 'trusted']).toString('base64');
      const url = options.url ?? (options.key === 'foreign' ? FOREIGN_CHAIN_URL : options.key === 'misnamed' ? 'https://s3.amazonaws.com/echo.api/misnamed.pem' : CHAIN_URL);
      const sent = options.tamper ? rawBody.replace('"en-GB"', '"en-US"') : rawBody;
      return { headers: { signaturecertchainurl: url, 'signature-256': signature, 'content-type': 'application/json' }, rawBody: sent };
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export type AlexaIntentSlots = Record<string, string>;

/** An Alexa IntentRequest (or LaunchRequest) envelope as the service sends it. */
export function alexaEnvelope(options: {
  at: number;
  accessToken?: string;
  intent?: string;
  slots?: AlexaIntentSlots;
  confirmationStatus?: 'NONE' | 'CONFIRMED' | 'DENIED';
  skillId?: string;
}): unknown {
  const application = { applicationId: options.skillId ?? SKILL_ID };
  const user = { userId: 'amzn1.ask.account.TEST', ...(options.accessToken ? { accessToken: options.accessToken } : {}) };
  const request = options.intent
    ? {
        type: 'IntentRequest',
        requestId: `amzn1.echo-api.request.${options.at}`,
        timestamp: new Date(options.at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        locale: 'en-GB',
        dialogState: 'STARTED',
        intent: {
          name: options.intent,
          confirmationStatus: options.confirmationStatus ?? 'NONE',
          slots: Object.fromEntries(Object.entries(options.slots ?? {}).map(([name, value]) => [name, { name, value, confirmationStatus: 'NONE' }])),
        },
      }
    : { type: 'LaunchRequest', requestId: `amzn1.echo-api.request.${options.at}`, timestamp: new Date(options.at).toISOString().replace(/\.\d{3}Z$/, 'Z'), locale: 'en-GB' };
  return {
    version: '1.0',
    session: { new: true, sessionId: 'amzn1.echo-api.session.TEST', application, user },
    context: { System: { application, user, device: { deviceId: 'amzn1.ask.device.TEST', supportedInterfaces: {} }, apiEndpoint: 'https://api.eu.amazonalexa.com' } },
    request,
  };
}
