export { registerGoogleRoutes } from './google.routes.ts';
export { availabilityOf, LIMITED_AT_UNITS, listLocalFeeds, LOCAL_INVENTORY_COLUMNS, localInventoryRows, localInventoryTsv, setLocalFeed, type LocalInventoryRow } from './local-inventory.service.ts';
export { GoogleFeedError, googleFeedErrorStatuses, type GoogleFeedErrorCode } from './google.errors.ts';
