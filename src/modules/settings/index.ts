export { registerSettingsRoutes } from './settings.routes.ts';
export { defaultSettings, getSettings, readSettings, settingsFrom, settingsRead, updateSettings, type ShopSettings } from './settings.service.ts';
