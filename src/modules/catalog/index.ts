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
  resolveItemRefs,
  type ItemRefs,
  type ResolvedItems,
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
export {
  createModifierGroup,
  getModifierGroup,
  listItemModifierGroups,
  listModifierGroups,
  loadOfferedModifiers,
  setItemModifierGroups,
  type ModifierComponent,
  type ModifierGroupRecord,
  type OfferedGroup,
} from './modifiers.service.ts';
export type { CreateModifierGroupInput } from './modifiers.schema.ts';
