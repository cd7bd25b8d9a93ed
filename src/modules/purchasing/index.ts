import { registerDocumentCheck } from '../ledger/index.ts';
import { checkVendorReturns } from './vendor-returns-check.service.ts';

registerDocumentCheck({ name: 'vendor_returns', check: checkVendorReturns });
export { registerPurchasingRoutes } from './purchasing.routes.ts';
export {
  createVendor,
  deleteVendor,
  findVendor,
  findVendorItem,
  getVendor,
  listItemVendors,
  listVendorItems,
  listVendors,
  setVendorItem,
  updateVendor,
  type VendorInput,
  type VendorItemInput,
} from './vendors.service.ts';
export { listExchangeRates, rateOn, setExchangeRate, type ExchangeRate } from './exchange-rates.service.ts';
export {
  addPurchaseOrderLines,
  cancelPurchaseOrder,
  closePurchaseOrder,
  createPurchaseOrder,
  getPurchaseOrder,
  listPurchaseOrderRevisions,
  listPurchaseOrders,
  removePurchaseOrderLine,
  sendPurchaseOrder,
  updatePurchaseOrder,
  updatePurchaseOrderLine,
  type LineInput,
  type PurchaseOrderInput,
  type PurchaseOrderRecord,
} from './purchase-orders.service.ts';
export {
  addReceiptLines,
  cancelReceipt,
  createReceipt,
  getReceipt,
  listReceipts,
  rejectReceipt,
  removeReceiptLine,
  updateReceipt,
  updateReceiptLine,
  type ReceiptInput,
  type ReceiptLineInput,
  type ReceiptRecord,
} from './receipts.service.ts';
export { approveReceipt, postReceipt } from './receipt-posting.service.ts';
export {
  cancelVendorReturn,
  createVendorReturn,
  getVendorReturn,
  listVendorReturns,
  postVendorReturn,
  VENDOR_RETURN_REASONS,
  type VendorReturnInput,
  type VendorReturnRecord,
} from './vendor-returns.service.ts';
export { addScanToReceipt, type ScanInput } from './receipt-scans.service.ts';
export { addLandedCosts, type ChargeInput, type LandedCostRecord } from './landed-costs.service.ts';
export { vendorPerformance, type VendorPerformance } from './vendor-performance.service.ts';
export { onOrderByItem } from './on-order.service.ts';
export { assessReceipt, type Assessment } from './discrepancies.ts';
export { apportion, baseUnitCost, RATE_SCALE, PERCENT_SCALE } from './conversion.ts';
export { loadPurchaseOrderDocument, purchaseOrderCsv } from './purchase-order-export.ts';
export { renderPurchaseOrderPdf } from './purchase-order-pdf.ts';
export { PurchasingError, type PurchasingErrorCode } from './purchasing.errors.ts';
export { httpStatusByCode as purchasingErrorStatuses } from './purchasing.errors.ts';
export { createVendorBody, setVendorItemBody } from './purchasing.schema.ts';
export { findUnit } from './conversion.ts';
