export { registerAdjustmentRoutes } from './adjustments.routes.ts';
export { createAdjustment, getAdjustment, listAdjustments, reverseAdjustment, type AdjustmentRecord } from './adjustments.service.ts';
export { ADJUSTMENT_REASONS, type AdjustmentReason, type CreateAdjustmentInput } from './adjustments.schema.ts';
export { AdjustmentError, type AdjustmentErrorCode } from './adjustments.errors.ts';
export { httpStatusByCode as adjustmentErrorStatuses } from './adjustments.errors.ts';
