import { registerPackedReservations } from '../sales/index.ts';
import { packedReservationsOf } from './shipments.service.ts';

// Cancelling an order must leave stock packed into a shipment alone; sales asks us how much that is.
registerPackedReservations(packedReservationsOf);

export { registerFulfillmentRoutes } from './fulfillment.routes.ts';
export { createPickLists, getPickList, listPickListsOfOrder, markPicked, type PickListRecord } from './pick-lists.service.ts';
export { cancelShipment, deliverShipment, getShipment, listShipmentsOfOrder, packShipment, shipShipment, type ShipmentRecord } from './shipments.service.ts';
export { FulfillmentError, type FulfillmentErrorCode } from './fulfillment.errors.ts';
export { httpStatusByCode as fulfillmentErrorStatuses } from './fulfillment.errors.ts';
export type { PackInput, ShipInput } from './fulfillment.schema.ts';
