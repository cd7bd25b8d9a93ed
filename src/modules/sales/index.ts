import { registerStockObserver } from '../ledger/index.ts';
import { availabilityObserver } from './availability.service.ts';

// Channels must hear of every change of stock, whoever posts it: the observer is registered as
// soon as this module is loaded (the server, the CLI and the tests all load it).
registerStockObserver(availabilityObserver);

export { registerSalesRoutes } from './sales.routes.ts';
export { registerOrderRoutes } from './orders.routes.ts';
export { createSale, type SaleRecord, type SaleLineRecord } from './checkout.service.ts';
export { onLateSaleRecorded } from './late-sales.ts';
export { getSale, listSales } from './sale-records.service.ts';
export { createExchange, createReturn, getExchange, getReturn, voidSale, type ExchangeRecord, type ReturnRecord } from './returns.service.ts';
export { createChannel, getChannel, listChannels, setChannelBuffer, updateChannel, type ChannelRecord } from './channels.service.ts';
export { AVAILABILITY_TOPIC, channelAvailability, emitAvailability, listOutbox } from './availability.service.ts';
export {
  allocateOrder,
  cancelOrder,
  confirmOrder,
  createOrder,
  expireOrders,
  getOrder,
  listOrders,
  openQty,
  partsOf,
  recordOrderProgress,
  registerPackedReservations,
  setAllocationStrategy,
  type PackedReservations,
  type OrderLineProgress,
  type OrderLineRecord,
  type OrderRecord,
} from './orders.service.ts';
export { amendOrder, type AmendOrderLine } from './order-amend.service.ts';
export { nearestSiteFirst, type Allocation, type AllocationPlan, type AllocationStrategy, type LineNeed } from './allocation.ts';
export { expandLine, partsOfShare, type Part } from './consumption.ts';
export { priceSale, shareOut, settlePayments, type DiscountSpec, type PricedSale } from './pricing.ts';
export { modifierSales, type ModifierSalesLine } from './modifier-sales.service.ts';
export { salesTotalsByHour } from './sales-totals.service.ts';
export { SalesError, type SalesErrorCode } from './sales.errors.ts';
export { httpStatusByCode as salesErrorStatuses } from './sales.errors.ts';
export type { CreateSaleInput, CreateReturnInput, CreateExchangeInput, VoidSaleInput } from './sales.schema.ts';
export type { CreateOrderInput, CancelOrderInput } from './orders.schema.ts';
export type { CreateChannelInput, UpdateChannelInput } from './channels.schema.ts';
