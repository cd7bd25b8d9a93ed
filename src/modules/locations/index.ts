export { registerLocationRoutes } from './locations.routes.ts';
export {
  VIRTUAL_LOCATION_IDS,
  createLocation,
  descendantLocationIds,
  findLocation,
  findSiteByCode,
  findLocations,
  getLocation,
  holdsStock,
  isValuedLocation,
  isVisibleTo,
  listLocations,
  loadStockPolicies,
  locationAndDefaultBinRead,
  resolveStockLocation,
  stockLocationFrom,
  updateLocation,
  type StockPolicy,
} from './locations.service.ts';
export { toLocationJson } from './locations.mapper.ts';
export { LocationError, type LocationErrorCode } from './locations.errors.ts';
export { httpStatusByCode as locationErrorStatuses } from './locations.errors.ts';
export type { CreateLocationInput } from './locations.schema.ts';
