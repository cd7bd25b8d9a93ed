import { ResponseFactory } from 'ask-sdk-core';
import type { Intent, RequestEnvelope, ResponseEnvelope } from 'ask-sdk-model';
import type { ServiceContext } from '../../platform/context.ts';
import { VOICE_INTENTS, type Slots, type VoiceIntent } from './phrases.ts';
import { answerIntent, HELP_SPEECH, type Confirmation } from './voice.service.ts';

/**
 * Alexa's side of the voice module: an Alexa Skills Kit request envelope in, a response envelope
 * out. The interaction model (docs/alexa/interaction-model.json) names the same intents as the
 * text endpoint; its slots (Item, Site, Quantity, Unit) are read as spoken. The add-to-order
 * intent is confirmed through Alexa's own dialog: the first turn answers with a ConfirmIntent
 * directive, and Alexa sends the intent again with confirmationStatus CONFIRMED or DENIED.
 */

const slotNames = { Item: 'item', Site: 'site', Quantity: 'quantity', Unit: 'unit' } as const;

const WELCOME = `Stockroom here. ${HELP_SPEECH}`;

function slotsOf(intent: Intent): Slots {
  const slots: Slots = {};
  for (const [alexaName, ours] of Object.entries(slotNames)) {
    const value = intent.slots?.[alexaName]?.value;
    if (typeof value === 'string' && value.trim() !== '') slots[ours] = value.slice(0, 200);
  }
  return slots;
}

function confirmationOf(intent: Intent): Confirmation {
  return intent.confirmationStatus === 'CONFIRMED' ? 'confirmed' : intent.confirmationStatus === 'DENIED' ? 'denied' : 'none';
}

const isVoiceIntent = (name: string): name is VoiceIntent => (VOICE_INTENTS as readonly string[]).includes(name);

function envelope(response: ResponseEnvelope['response']): ResponseEnvelope {
  return { version: '1.0', response };
}

/** What Alexa hears when the account is not linked, with the card that opens linking in the Alexa app. */
export function linkAccountResponse(): ResponseEnvelope {
  return envelope(
    ResponseFactory.init().speak('Please link your Stockroom account in the Alexa app first. I have sent a card there.').withLinkAccountCard().withShouldEndSession(true).getResponse(),
  );
}

export async function answerAlexa(ctx: ServiceContext, request: RequestEnvelope): Promise<ResponseEnvelope> {
  const r = request.request;
  if (r.type === 'SessionEndedRequest') return envelope({});
  if (r.type === 'LaunchRequest') return envelope(ResponseFactory.init().speak(WELCOME).reprompt(HELP_SPEECH).withShouldEndSession(false).getResponse());
  if (r.type !== 'IntentRequest') return envelope(ResponseFactory.init().speak(HELP_SPEECH).withShouldEndSession(true).getResponse());

  const intent = r.intent;
  if (intent.name === 'AMAZON.StopIntent' || intent.name === 'AMAZON.CancelIntent') return envelope(ResponseFactory.init().speak('Goodbye.').withShouldEndSession(true).getResponse());
  if (!isVoiceIntent(intent.name)) return envelope(ResponseFactory.init().speak(HELP_SPEECH).reprompt(HELP_SPEECH).withShouldEndSession(false).getResponse());

  const answer = await answerIntent(ctx, intent.name, slotsOf(intent), confirmationOf(intent));
  const builder = ResponseFactory.init().speak(answer.speech);
  if (answer.needsConfirmation) return envelope(builder.addConfirmIntentDirective(intent).withShouldEndSession(false).getResponse());
  return envelope(builder.withShouldEndSession(true).getResponse());
}
