import { AppError, type FieldError } from '../../platform/errors.ts';

/**
 * What the voice endpoints refuse. A question a shop owner asks is always answered in words (an
 * item that is not found, a permission the account lacks); only requests that must not be
 * trusted or cannot be understood as requests are refused with a problem: Amazon's verification
 * of an Alexa request, and a confirmation that carries no intent to confirm.
 */
export type VoiceErrorCode =
  | 'alexa_not_configured'
  | 'alexa_certificate_url_invalid'
  | 'alexa_certificate_invalid'
  | 'alexa_signature_invalid'
  | 'alexa_timestamp_invalid'
  | 'alexa_skill_mismatch'
  | 'voice_pending_invalid';

export const voiceErrorStatuses = {
  alexa_not_configured: 404,
  alexa_certificate_url_invalid: 400,
  alexa_certificate_invalid: 400,
  alexa_signature_invalid: 401,
  alexa_timestamp_invalid: 400,
  alexa_skill_mismatch: 400,
  voice_pending_invalid: 422,
} as const satisfies Record<VoiceErrorCode, number>;

export class VoiceError extends AppError {
  constructor(code: VoiceErrorCode, detail: string, options?: { extra?: Record<string, unknown>; errors?: FieldError[] }) {
    super(code, voiceErrorStatuses[code], detail, options);
    this.name = 'VoiceError';
  }
}
