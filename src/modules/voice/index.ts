export { registerVoiceRoutes, type VoiceOptions } from './voice.routes.ts';
export { answerIntent, answerText, type Confirmation, type VoiceAnswer } from './voice.service.ts';
export { parsePhrase, VOICE_INTENTS, type Slots, type VoiceIntent } from './phrases.ts';
export { AlexaVerifier, ALEXA_TIMESTAMP_TOLERANCE_MS, checkCertificateUrl, type ChainFetcher } from './alexa-verify.ts';
export { VoiceError, voiceErrorStatuses, type VoiceErrorCode } from './voice.errors.ts';
