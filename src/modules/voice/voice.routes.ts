import { Readable } from 'node:stream';
import type { RequestEnvelope, ResponseEnvelope } from 'ask-sdk-model';
import type { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { PlatformError } from '../../platform/errors.ts';
import { runCommand, type CommandDeps } from '../../platform/http/command.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import type { Actor } from '../../platform/context.ts';
import type { Database } from '../../platform/db/database.ts';
import { authenticateToken } from '../access/index.ts';
import { ACCESS_TOKEN_PREFIX, authenticateAccessToken } from '../oauth/index.ts';
import { answerAlexa, linkAccountResponse } from './alexa.ts';
import { AlexaVerifier, type ChainFetcher } from './alexa-verify.ts';
import { alexaRequestBody, alexaResponseBody, askBody, askOutput } from './voice.schema.ts';
import { answerText } from './voice.service.ts';
import type { VoiceErrorCode } from './voice.errors.ts';

const tags = ['voice'];
/** Alexa's envelopes are a few kilobytes, even with a screen device's context. */
const ALEXA_BODY_MAX_BYTES = 256 * 1024;

/** ask-sdk-model's interfaces have no index signature; the envelope is the loose object the schema describes. */
const asBody = (envelope: ResponseEnvelope) => envelope as unknown as z.infer<typeof alexaResponseBody>;

export interface VoiceOptions {
  /** The Alexa skill's application id; default STOCKROOM_ALEXA_SKILL_ID. Without one the Alexa endpoint refuses every request. */
  alexaSkillId?: string | null;
  /** Tests only: PEM roots trusted for Alexa's signing chain instead of the system's. */
  alexaTrustedRootsPem?: readonly string[];
  /** Tests only: where Alexa's certificate chains are fetched from instead of Amazon's bucket. */
  alexaFetchChain?: ChainFetcher;
}

const alexaErrors = [
  'alexa_not_configured',
  'alexa_certificate_url_invalid',
  'alexa_certificate_invalid',
  'alexa_signature_invalid',
  'alexa_timestamp_invalid',
  'alexa_skill_mismatch',
] as const satisfies readonly VoiceErrorCode[];

export function registerVoiceRoutes(app: AppInstance, deps: CommandDeps, options: VoiceOptions = {}): void {
  app.post('/api/v1/voice/ask', {
    schema: {
      tags,
      summary: 'Ask a voice question as text: the same intents and answers as the Alexa skill',
      description:
        'Understands "how many <item> are at <site>", "what is low at <site>", "what sold best today" and "add <quantity> [<unit> of] <item> to the next order". ' +
        'Adding to an order answers with a question (`needs_confirmation`); send "yes" with `pending` set to the answer’s intent and slots to write it.',
      body: askBody,
      response: { 200: askOutput },
    },
    config: { access: { permission: 'stock.read' }, errors: ['voice_pending_invalid'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => {
        const answer = await answerText(ctx, request.body.text, request.body.pending);
        return { speech: answer.speech, intent: answer.intent, slots: answer.slots, needs_confirmation: answer.needsConfirmation };
      }),
  });

  const verifier = new AlexaVerifier({
    clock: deps.clock,
    skillId: options.alexaSkillId !== undefined ? options.alexaSkillId : (process.env.STOCKROOM_ALEXA_SKILL_ID ?? null),
    trustedRootsPem: options.alexaTrustedRootsPem,
    fetchChain: options.alexaFetchChain,
  });
  // The signature is over the bytes Amazon sent: they are kept as they arrive, before JSON parsing.
  const rawBodies = new WeakMap<FastifyRequest, Buffer>();

  app.post('/api/v1/voice/alexa', {
    schema: {
      tags,
      summary: 'The Alexa Skills Kit endpoint of the Stockroom skill (request and response envelopes as Amazon defines them)',
      description:
        'Each request must be signed by Amazon (SignatureCertChainUrl and Signature-256 headers) and be at most 150 seconds old. ' +
        'The linked account is the OAuth access token Alexa sends as `context.System.user.accessToken` (account linking, docs/voice.md); answers are given with that person’s role and sites. ' +
        'A Stockroom API token is accepted there too. An unknown, expired or revoked token is answered with the LinkAccount card.',
      body: alexaRequestBody,
      response: { 200: alexaResponseBody },
    },
    config: {
      access: { public: true, reason: 'Alexa calls it without a Stockroom credential: each request is verified as signed by Amazon and acts as the linked account’s token' },
      errors: alexaErrors,
    },
    preParsing: async (request, _reply, payload) => {
      // Read here, so bounded here: the server's body limit applies only after this hook.
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of payload) {
        size += (chunk as Buffer).length;
        if (size > ALEXA_BODY_MAX_BYTES) throw new PlatformError('payload_too_large', `An Alexa request is at most ${ALEXA_BODY_MAX_BYTES} bytes.`);
        chunks.push(chunk as Buffer);
      }
      const raw = Buffer.concat(chunks);
      rawBodies.set(request, raw);
      return Readable.from([raw]);
    },
    handler: async (request, reply) => {
      const envelope = request.body as unknown as RequestEnvelope;
      const header = (name: string) => {
        const value = request.headers[name];
        return typeof value === 'string' ? value : undefined;
      };
      // Outside any transaction: the chain may be downloaded from Amazon.
      await verifier.verify({
        certificateUrl: header('signaturecertchainurl'),
        signature: header('signature-256'),
        rawBody: rawBodies.get(request) ?? Buffer.alloc(0),
        timestamp: request.body.request.timestamp,
        applicationId: request.body.context?.System.application?.applicationId ?? request.body.session?.application?.applicationId,
      });
      const token = request.body.context?.System.user?.accessToken;
      const actor = token ? await linkedActor(deps.db, token, deps.clock.now()) : null;
      if (!actor) return asBody(linkAccountResponse());
      request.actor = actor;
      return runCommand(deps, request, reply, async (ctx) => asBody(await answerAlexa(ctx, envelope)));
    },
  });
}

/**
 * Who a linked Alexa account is: the person an OAuth access token (scope `voice`) acts for, as they
 * are now; or, as before account linking existed, the actor of a Stockroom API token. Null asks
 * Alexa to show the LinkAccount card.
 */
async function linkedActor(db: Database, token: string, now: number): Promise<Actor | null> {
  const check = token.startsWith(ACCESS_TOKEN_PREFIX) ? await authenticateAccessToken(db, token, now, 'voice') : await authenticateToken(db, token, now);
  return check.ok ? check.actor : null;
}
