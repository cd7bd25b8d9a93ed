import { registerDocumentCheck } from '../ledger/index.ts';
import { checkTransit } from './transfers-check.service.ts';

// `stockroom check` and checkLedger see transit through the ledger's registry of document checks.
registerDocumentCheck({ name: 'transfers', check: checkTransit });

export { registerTransferRoutes } from './transfers.routes.ts';
export { registerBinMoveRoutes } from './bin-moves.routes.ts';
export {
  acceptTransfer,
  cancelTransfer,
  createTransfer,
  getTransfer,
  listTransfers,
  DEFAULT_OVER_TOLERANCE_PPM,
  type TransferRecord,
  type TransferQuery,
} from './transfers.service.ts';
export { pickTransfer, type PickResult } from './transfer-picking.service.ts';
export { shipTransfer } from './transfer-shipping.service.ts';
export { closeTransfer, receiveTransfer } from './transfer-receiving.service.ts';
export { moveBetweenBins, type BinMoveRecord } from './bin-moves.service.ts';
export { checkTransit } from './transfers-check.service.ts';
export { renderPackingSlipPdf } from './packing-slip-pdf.ts';
export { toTransferJson } from './transfers.mapper.ts';
export { TransferError, transferErrorStatuses, type TransferErrorCode } from './transfers.errors.ts';
export type { CreateTransferInput, ReceiveInput, ShipInput, PickInput, BinMoveInput } from './transfers.schema.ts';
