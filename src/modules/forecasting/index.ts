export {
  addDays,
  countQuantile,
  demandOverWindow,
  forecastDemand,
  normalQuantile,
  pooledDemandOverWindow,
  seriesShape,
  type DemandClass,
  type DemandForecast,
  type DemandSeries,
  type DemandShape,
  type PredictionInterval,
  type WindowDemand,
} from './engine.ts';
export { readDemandHistories, readDemandHistory, type SiteDemandSeries } from './demand-history.ts';
export { borrowedForecast, channelShares, inStockSales, ownHistoryTooThin, shareOf, storesDailyRate, type ChannelExposure, type ChannelShares } from './channel-share.ts';
export { computeItemForecasts, FORECAST_HORIZON_DAYS, flagDemandDays, forecastContext, forecastItem, latestForecastRun, runForecasts, runForecastsIfDue, storedForecast, type ForecastRunProgress, type SiteForecast } from './forecasting.service.ts';
export { ForecastingError, forecastingErrorStatuses, type ForecastingErrorCode } from './forecasting.errors.ts';
export { registerForecastingRoutes } from './forecasting.routes.ts';
