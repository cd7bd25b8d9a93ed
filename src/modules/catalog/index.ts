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
  itemRefKeys,
  resolveItemRefs,
  resolvedItemsFrom,
  saleItemsRead,
  type ItemRefKeys,
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
export { createItemBody, MAX_ITEM_UNITS, purchaseUnitInput } from './catalog.schema.ts';
export { httpStatusByCode as catalogErrorStatuses } from './catalog.errors.ts';
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
export { registerProductRoutes, toProductJson } from './products.routes.ts';
export {
  addOptionValue,
  createProduct,
  findProductByHandle,
  getProduct,
  handleFromName,
  listProducts,
  optionsOf,
  productOfItem,
  setRowPrice,
  updateProduct,
  upsertVariantLinks,
  type VariantLinkInput,
  variantSku,
  type ProductOption,
  type ProductView,
} from './products.service.ts';
export { httpStatusByCode as productErrorStatuses, ProductError } from './products.errors.ts';
export type { CreateProductInput } from './products.schema.ts';
export { upsertItemsBySku, type BulkItemInput, type BulkOutcome, type BulkResult } from './items-bulk.ts';
export { getItemListing, getProductListing, itemListings, setItemListing, setProductListing, type ItemListing, type ProductListing } from './listings.service.ts';
export { LISTING_CONDITIONS } from './listings.schema.ts';
