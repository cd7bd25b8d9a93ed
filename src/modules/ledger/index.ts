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
export { balanceAt, hasPhysicalStock, listBalances, onHandByItem, type BalanceLine, type BalanceQuery } from './balances.service.ts';
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
export { registerStockObserver, type StockObserver, type StockTouch } from './stock-observers.ts';
export { comparePickable, listPickableStock, sumPickableByItem, sumPickableBySite, type PickableStock } from './pickable.service.ts';
export { NO_LOT, findLots, findLotsByCode, findOrCreateLot, listLotsOfItem, type LotSpec } from './lots.service.ts';
export { checkLedger, type InvariantResult, type LedgerCheckReport } from './ledger-check.service.ts';
export { LedgerError, insufficientStock, type LedgerErrorCode, type Shortfall } from './ledger.errors.ts';
export { lotOrNull, toMovementJson, type View } from './ledger.mapper.ts';
export { loadItemRules, type ItemRules } from './item-rules.ts';
export { applyLandedCosts, movementValueByHour, readValuedHistory, revalueItems, valuedChangesByHour, valuedChangesSince, type ValuedChange } from './valuation.ts';
