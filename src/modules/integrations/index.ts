import { registerStockObserver } from '../ledger/index.ts';
import { dirtyMarker } from './push.service.ts';
import { registerAdapter } from './registry.ts';
import { shopifyAdapter } from './shopify/shopify.adapter.ts';
import { squareAdapter } from './square/index.ts';
import { wooCommerceAdapter } from './woocommerce/index.ts';

// Every change of stock marks the mapped variants that owe a push, whoever posts it.
registerStockObserver(dirtyMarker);
// Each platform's adapter; Square and WooCommerce register theirs here too.
registerAdapter(shopifyAdapter);
registerAdapter(squareAdapter);
registerAdapter(wooCommerceAdapter);

export type { ChannelAdapter, Platform, UpstreamOrder, UpstreamVariant, WebhookEvent } from './adapter.ts';
export { Throttled } from './adapter.ts';
export { registerAdapter, adapterFor, registeredPlatforms } from './registry.ts';
export { registerIntegrationRoutes } from './integrations.routes.ts';
export { createConnection, getConnection, listConnections, testConnection, updateConnection, type ConnectionInput } from './connections.service.ts';
export { refreshCatalogue, matchUnmapped, setMapping, listMappings, listUnmappedItems, importVariants } from './mapping.service.ts';
export { takeWebhook, onChannelEvent } from './intake.service.ts';
export { processChannelEvents, pollOrders, pollConnection, purgeAppliedEvents, retryFailedEvents } from './events.service.ts';
export { applyUpstreamOrder, type ApplyOutcome } from './apply-order.ts';
export { pushLevels, PUSH_INTERVAL_MS } from './push.service.ts';
export { reconcile, reconcileAll, type Drift } from './reconcile.service.ts';
export { listSyncLog } from './sync-log.ts';
export { IntegrationError, integrationErrorStatuses, type IntegrationErrorCode } from './integrations.errors.ts';
export { SHOPIFY_API_VERSION, shopifyAdapter } from './shopify/shopify.adapter.ts';
