export { wooCommerceAdapter, WOO_BATCH_MAX } from './woocommerce.adapter.ts';
export { WooApiError } from './woocommerce.client.ts';
export { parseWooRef, variationRef } from './woocommerce.mapping.ts';
export { wooEventId, wooSignature } from './woocommerce.webhooks.ts';
