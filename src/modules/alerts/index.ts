import { registerStockObserver } from '../ledger/index.ts';
import { stockAlertObserver } from './stock-alerts.ts';

// Stock alerts must see every change of stock, whoever posts it: registered as soon as this
// module is loaded (the server loads it; so do the tests that exercise it).
registerStockObserver(stockAlertObserver);

export { registerAlertRoutes } from './alerts.routes.ts';
export { ALERT_RULES, DEFAULT_RULES, EVENT_TYPE_BY_RULE, readRuleSettings, type AlertRule, type RuleSettings } from './alert-rules.ts';
export { fireAlert, type AlertInput } from './alert-dispatch.ts';
export { notifyRecentAlerts } from './alerts.service.ts';
export { evaluateStockAlerts, siteMinimums } from './stock-alerts.ts';
export { evaluateTimedAlerts } from './alert-jobs.ts';
export { sendDigests } from './digest.service.ts';
export { publishEvent, setWebhookSubscriberFinder, type WebhookSubscriber, type WebhookSubscriberFinder } from './events.ts';
export {
  createSubscription,
  deleteSubscription,
  getPreferences,
  listNotifications,
  listRules,
  listSubscriptions,
  markNotificationsRead,
  updatePreferences,
  updateRule,
} from './alerts.service.ts';
export { AlertError, alertErrorStatuses, type AlertErrorCode } from './alerts.errors.ts';
