export { registerLedgerRoutes } from './ledger.routes.ts';
export {
  MOVEMENT_KINDS,
  MAX_MOVEMENTS_PER_TRANSACTION,
  hasMovements,
  listMovementsOfDocuments,
  postMovements,
  type MovementInput,
  type MovementKind,
  type NegativeBalance,
  type PostInput,
  type PostedTransaction,
} from './movements.service.ts';
export { answerSiteStockAsOfWith, balanceAt, hasPhysicalStock, listBalances, onHandByItem, type BalanceLine, type BalanceQuery, type SiteStockAsOfReader } from './balances.service.ts';
export { balancesAtInstants, type BalanceKeyAt } from './balances-at.ts';
export { listMovements, type MovementLine, type MovementQuery } from './history.service.ts';
export {
  listReservationsOfDocument,
  listReservationsOfDocuments,
  releaseExpiredReservations,
  releaseReservation,
  reserveStock,
  setReservationExpiry,
  type ReserveInput,
} from './reservations.service.ts';
export { registerStockObserver, type StockObserver, type StockTouch, type TouchedIds } from './stock-observers.ts';
export { PostingBatch } from './posting-batch.ts';
export { comparePickable, listPickableStock, sumPickableByItem, sumPickableBySite, type PickableStock } from './pickable.service.ts';
export { NO_LOT, findLots, findLotsByCode, findOrCreateLot, listLotsOfItem, type LotSpec } from './lots.service.ts';
export { registerDocumentCheck, type DocumentCheck, type DocumentInvariant } from './document-checks.ts';
export { checkLedger, type InvariantResult, type LedgerCheckReport } from './ledger-check.service.ts';
export { LedgerError, insufficientStock, postingErrorCodes, type LedgerErrorCode, type Shortfall } from './ledger.errors.ts';
export { httpStatusByCode as ledgerErrorStatuses } from './ledger.errors.ts';
export { lotOrNull, toMovementJson, type View } from './ledger.mapper.ts';
export { loadItemRules, type ItemRules } from './item-rules.ts';
export {
  applyLandedCosts,
  movementValueByHour,
  onMovementCostsRewritten,
  ownedStockByLot,
  readValuedHistory,
  revalueItems,
  valuedChangesByHour,
  valuedChangesSince,
  valuedChangesSinceByLot,
  type LotValuedChange,
  type ValuedChange,
} from './valuation.ts';
export { inboundCostOf, recordCostDerivation, splitByWeight, type DerivationInput, type DerivationOutput } from './derived-costs.ts';
