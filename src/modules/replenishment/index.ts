export { registerReplenishmentRoutes } from './replenishment.routes.ts';
export { bulkSetLevels, getLevel, listLevels, putLevel, suggestLevels, abcClasses, type LevelRecord, type Suggestion } from './levels.service.ts';
export { proposeReplenishment, type Proposals, type PurchaseProposal, type TransferProposal } from './proposals.service.ts';
export { createDraftPurchaseOrders, createProposedTransfers, runScheduledDrafts, readAutoDrafts, setAutoDrafts } from './drafts.service.ts';
export { measuredLeadTimes, vendorReviewDays } from './demand.service.ts';
export { siteLevelsForAlerts } from './alerts.service.ts';
export { levelsAtSites, siteLevelKey, type SiteLevel } from './site-levels.ts';
export { ReplenishmentError, replenishmentErrorStatuses, type ReplenishmentErrorCode } from './replenishment.errors.ts';
export * as planning from './planning.ts';
