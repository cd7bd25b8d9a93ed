export { registerSettingsRoutes } from './settings.routes.ts';
export { defaultSettings, getSettings, readSettings, updateSettings, type ShopSettings } from './settings.service.ts';
