export { registerCatalogRoutes } from './catalog.routes.ts';
export {
  barcodesOf,
  componentsOf,
  createItem,
  findItem,
  findItems,
  findItemByBarcode,
  findItemBySku,
  getItem,
  getItemByBarcode,
  searchItems,
  setItemStatus,
  unitsOf,
  updateItem,
  deleteItem,
  type Component,
  type PurchaseUnit,
} from './items.service.ts';
export { toItemJson } from './catalog.mapper.ts';
export { barcodeLookupKey, gtinCheckDigit, isValidGtin, parseBarcode } from './barcodes.ts';
export { CatalogError, type CatalogErrorCode } from './catalog.errors.ts';
export type { CreateItemInput, ItemJson, UpdateItemInput } from './catalog.schema.ts';
