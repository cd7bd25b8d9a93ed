import { registerDocumentCheck } from '../ledger/index.ts';
import { checkProduction } from './production-check.service.ts';

// `stockroom check` and checkLedger see production through the ledger's registry of document checks.
registerDocumentCheck({ name: 'production', check: checkProduction });

export { registerBomRoutes, registerProductionRoutes } from './production.routes.ts';
export { bomTree, createBomVersion, findActiveBom, getBom, listBomVersions, type BomRecord, type BomTree } from './boms.service.ts';
export {
  cancelProductionOrder,
  closeProductionOrder,
  createProductionOrder,
  getProductionOrder,
  listProductionOrders,
  startProductionOrder,
  PRODUCTION_DOCUMENT,
  type ProductionOrderRecord,
} from './production-orders.service.ts';
export { completeProductionOrder } from './production-completion.service.ts';
export { createPlannedOrders, productionLevels, productionPlan, type PlanLine } from './production-plan.service.ts';
export { disassemble, getDisassembly, type DisassemblyRecord } from './disassembly.service.ts';
export { checkProduction } from './production-check.service.ts';
export { toBomJson, toOrderJson } from './production.mapper.ts';
export { ProductionError, productionErrorStatuses, type ProductionErrorCode } from './production.errors.ts';
export type { CompleteInput, CreateBomInput, CreateOrderInput, DisassembleInput } from './production.schema.ts';
