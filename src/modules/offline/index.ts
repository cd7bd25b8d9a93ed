export { assertOccurredAtInWindow, checkOccurredAt, occurredAtWindow, OCCURRED_AT_SKEW_MS, type OccurredAtWindow } from './occurred-at.ts';
export { OfflineError, type OfflineErrorCode } from './offline.errors.ts';
export { httpStatusByCode as offlineErrorStatuses } from './offline.errors.ts';
