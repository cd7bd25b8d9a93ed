export { registerGoogleRoutes } from './google.routes.ts';
export { availabilityOf, LIMITED_AT_UNITS, listLocalFeeds, LOCAL_INVENTORY_COLUMNS, localInventoryRows, localInventoryTsv, setLocalFeed, type LocalInventoryRow } from './local-inventory.service.ts';
export { DESCRIPTION_MAX, gtinOf, issueProductFeed, PRODUCT_FEED_COLUMNS, productFeed, productFeedTsv, TITLE_MAX, type ProductRow } from './product-feed.service.ts';
export { disconnectMerchant, GOOGLE_LOG_ID, GOOGLE_PUSH_INTERVAL_MS, merchantStatus, pushGoogleMerchant, setMerchant, type PushResult } from './merchant.service.ts';
export { parseServiceAccountKey, signedAssertion } from './merchant-client.ts';
export { GoogleFeedError, googleFeedErrorStatuses, type GoogleFeedErrorCode } from './google.errors.ts';
