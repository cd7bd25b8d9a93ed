import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * The tables as Kysely sees them. Quantities (`qty`, `on_hand`, `reserved`) are thousandths of
 * the item's base unit, money columns end in `_micros`, times in `_at` are epoch milliseconds,
 * and `lot_id` is '' when stock carries no lot (so it can be part of a primary key).
 */
export interface SettingsTable {
  key: string;
  value: string;
}

export interface CounterTable {
  name: string;
  value: number;
}

export type LocationKind = 'site' | 'zone' | 'bin' | 'virtual';
export type SiteType = 'store' | 'warehouse';
export type VirtualType = 'vendor' | 'customer' | 'adjustment' | 'scrap' | 'production' | 'transit';
export type NegativeStockPolicy = 'allow' | 'strict';

export interface LocationTable {
  id: string;
  parent_id: string | null;
  site_id: string | null;
  path: string;
  kind: LocationKind;
  site_type: SiteType | null;
  virtual_type: VirtualType | null;
  code: string;
  full_code: string;
  full_code_key: string;
  name: string;
  negative_stock: NegativeStockPolicy | null;
  default_bin_id: string | null;
  pick_order: number;
  /** `quarantine` bins hold stock that may not be sold or picked (damaged, awaiting inspection). */
  purpose: 'stock' | 'quarantine';
  address: string | null;
  status: 'active' | 'archived';
  created_at: number;
  updated_at: number;
}

export type Tracking = 'none' | 'lot' | 'serial';
export type CostingMethod = 'fifo' | 'average';

export interface ItemTable {
  id: string;
  sku: string;
  sku_key: string;
  name: string;
  description: string | null;
  category: string | null;
  base_unit: string;
  tracking: Tracking;
  tracks_expiry: number;
  costing_method: CostingMethod;
  price_micros: number | null;
  unit_weight_mg: number | null;
  stocked: number;
  status: 'active' | 'archived';
  /** The item's own representation of its units, barcodes and components (see catalog). */
  units_json: string;
  barcodes_json: string;
  components_json: string;
  search_text: string;
  created_at: number;
  updated_at: number;
}

export interface ItemBarcodeTable {
  code_key: string;
  code: string;
  kind: 'gtin' | 'other';
  item_id: string;
}

export interface ItemComponentTable {
  item_id: string;
  component_item_id: string;
  qty: number;
  position: number;
}

export interface LotTable {
  id: string;
  item_id: string;
  code: string;
  kind: 'lot' | 'serial';
  expires_on: string | null;
  created_at: number;
}

export interface LedgerTransactionTable {
  id: string;
  kind: string;
  document_type: string;
  document_id: string;
  effective_at: number;
  recorded_at: number;
  actor_id: string | null;
}

export interface MovementTable {
  id: string;
  txn_id: string;
  item_id: string;
  lot_id: string;
  from_location_id: string;
  to_location_id: string;
  qty: number;
  unit_cost_micros: number | null;
  value_micros: number | null;
  kind: string;
  reason: string | null;
  effective_at: number;
  recorded_at: number;
  document_type: string;
  document_id: string;
  document_line_id: string | null;
  actor_id: string | null;
}

export interface BalanceTable {
  item_id: string;
  location_id: string;
  lot_id: string;
  on_hand: number;
  reserved: number;
  updated_at: number;
}

export interface ReservationTable {
  id: string;
  item_id: string;
  location_id: string;
  lot_id: string;
  qty: number;
  document_type: string;
  document_id: string;
  document_line_id: string | null;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface IdempotencyKeyTable {
  scope: string;
  key: string;
  method: string;
  route: string;
  fingerprint: string;
  status_code: number;
  response_body: string;
  created_at: number;
  expires_at: number;
}

export interface AdjustmentTable {
  id: string;
  number: string;
  location_id: string;
  reason: string;
  note: string | null;
  effective_at: number;
  posted_at: number;
  actor_id: string | null;
  txn_id: string;
  reverses_id: string | null;
}

export interface AdjustmentLineTable {
  id: string;
  adjustment_id: string;
  line_no: number;
  item_id: string;
  lot_id: string;
  qty_delta: number;
  unit_cost_micros: number | null;
}

export interface ItemCostTable {
  item_id: string;
  pool_qty: number;
  pool_value_micros: number;
  last_unit_cost_micros: number;
  last_effective_at: number;
  last_movement_id: string;
  updated_at: number;
}

export interface InboundCostTable {
  movement_id: string;
  item_id: string;
  unit_cost_micros: number | null;
  landed_micros: number;
}

export interface CostLayerTable {
  movement_id: string;
  item_id: string;
  effective_at: number;
  qty_in: number;
  value_in_micros: number;
  qty_remaining: number;
  value_remaining_micros: number;
}

export interface CostConsumptionTable {
  movement_id: string;
  /** The layer's inbound movement id, 'avg' for an average item's pool, '' for a shortfall. */
  layer_id: string;
  item_id: string;
  effective_at: number;
  qty: number;
  value_micros: number;
}

export interface DB {
  settings: SettingsTable;
  counters: CounterTable;
  locations: LocationTable;
  items: ItemTable;
  item_barcodes: ItemBarcodeTable;
  item_components: ItemComponentTable;
  lots: LotTable;
  ledger_transactions: LedgerTransactionTable;
  movements: MovementTable;
  balances: BalanceTable;
  reservations: ReservationTable;
  idempotency_keys: IdempotencyKeyTable;
  adjustments: AdjustmentTable;
  adjustment_lines: AdjustmentLineTable;
  item_costs: ItemCostTable;
  inbound_costs: InboundCostTable;
  cost_layers: CostLayerTable;
  cost_consumptions: CostConsumptionTable;
}

export type LocationRow = Selectable<LocationTable>;
export type ItemRow = Selectable<ItemTable>;
export type LotRow = Selectable<LotTable>;
export type MovementRow = Selectable<MovementTable>;
export type NewMovementRow = Insertable<MovementTable>;
export type BalanceRow = Selectable<BalanceTable>;
export type ReservationRow = Selectable<ReservationTable>;
// Kept for columns that later migrations give defaults to.
export type { Generated };
