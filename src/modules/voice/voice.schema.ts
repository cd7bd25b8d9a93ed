import { z } from 'zod';
import { textInput } from '../../platform/http/fields.ts';
import { VOICE_INTENTS } from './phrases.ts';

const slotText = z.string().trim().min(1).max(200);

export const slotsSchema = z.strictObject({
  item: slotText.optional(),
  site: slotText.optional(),
  quantity: slotText.optional(),
  unit: slotText.optional(),
});

export const askBody = z.strictObject({
  text: textInput(500).meta({ description: 'What was said, as text: "how many oat milk are at Main Street", or "yes"/"no" with `pending`.' }),
  pending: z
    .strictObject({ intent: z.enum(VOICE_INTENTS), slots: slotsSchema })
    .optional()
    .meta({ description: 'The intent and slots of an answer that asked for confirmation (`needs_confirmation`), sent back with a yes or a no.' }),
});
export type AskBody = z.infer<typeof askBody>;

export const askOutput = z.strictObject({
  speech: z.string().meta({ description: 'The answer in plain sentences, as a voice assistant would say it.' }),
  intent: z.enum([...VOICE_INTENTS, 'unknown']),
  slots: slotsSchema,
  needs_confirmation: z.boolean().meta({ description: 'True when nothing was written yet: send "yes" with `pending` set to this intent and slots to do it.' }),
});

/** The parts of an Alexa request envelope the endpoint reads; the rest passes through unread. */
export const alexaRequestBody = z.looseObject({
  version: z.string().max(20),
  session: z.looseObject({ application: z.looseObject({ applicationId: z.string().max(200) }).optional() }).optional(),
  context: z
    .looseObject({
      System: z.looseObject({
        application: z.looseObject({ applicationId: z.string().max(200) }).optional(),
        user: z.looseObject({ accessToken: z.string().max(500).optional() }).optional(),
      }),
    })
    .optional(),
  request: z.looseObject({ type: z.string().max(100), timestamp: z.string().max(40) }),
});

export const alexaResponseBody = z.looseObject({ version: z.string(), response: z.looseObject({}) });
