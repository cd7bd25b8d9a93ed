export {
  addLandedCost,
  lockItemCosts,
  replayItem,
  revalueItem,
  valueMovements,
  type CostingMovement,
  type CostUpdate,
  type HistoricMovement,
  type HistoryReader,
  type MovementCost,
  type Valuation,
} from './costing.service.ts';
export { CostEngine, emptyState, type CostingMethod } from './cost-engine.ts';
export { checkCosting, type CostingInvariantResult } from './costing-check.service.ts';
export { currentUnitCosts, getItemCosts, itemCostGrandTotal, listItemCostTotals, listLotCostTotals, type ItemCostSummary, type LotCostTotal } from './cost-layers.service.ts';
export { unitCostOf } from './cost-engine.ts';
export { setCheckpointSpacing } from './cost-checkpoints.ts';
