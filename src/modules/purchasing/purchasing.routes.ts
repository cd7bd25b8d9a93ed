import type { CommandDeps } from '../../platform/http/command.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { registerPurchaseOrderRoutes } from './purchase-orders.routes.ts';
import { registerReceiptRoutes } from './receipts.routes.ts';
import { registerVendorReturnRoutes } from './vendor-returns.routes.ts';
import { registerVendorRoutes } from './vendors.routes.ts';

/** Vendors and exchange rates, purchase orders, receipts and landed costs, and the vendor performance report. */
export function registerPurchasingRoutes(app: AppInstance, deps: CommandDeps): void {
  registerVendorRoutes(app, deps);
  registerPurchaseOrderRoutes(app, deps);
  registerReceiptRoutes(app, deps);
  registerVendorReturnRoutes(app, deps);
}
