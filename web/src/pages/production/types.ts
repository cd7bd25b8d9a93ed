import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';

/** Production as the API answers it (GET /api/v1/production-orders/{id}, …). Costs are left out for staff. */
export type ProductionStatus = 'planned' | 'started' | 'completed' | 'closed' | 'cancelled';

export interface ProductionLine {
  id: string;
  item_id: string;
  sku: string;
  name: string;
  base_unit: string;
  qty_planned: number;
  qty_reserved: number;
  qty_consumed: number;
  qty_variance: number;
  value_consumed?: string;
}

export interface ProductionPosting {
  id: string;
  qty_produced: number;
  qty_scrapped: number;
  lot_code: string | null;
  expires_on: string | null;
  value_consumed?: string;
  labour?: string;
  overhead?: string;
  value_produced?: string;
  unit_cost?: string;
  effective_at: string;
  note: string | null;
}

export interface ProductionOrder {
  id: string;
  number: string;
  status: ProductionStatus;
  site: { id: string; code: string; name: string };
  bin_id: string;
  item: { id: string; sku: string; name: string; base_unit: string };
  bom_id: string;
  bom_version: number;
  qty_planned: number;
  qty_expected: number;
  qty_produced: number;
  qty_scrapped: number;
  yield_variance: number;
  planned_for: string | null;
  note: string | null;
  lines: ProductionLine[];
  postings: ProductionPosting[];
  value_consumed?: string;
  value_produced?: string;
  unit_cost?: string;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  closed_at: string | null;
}

export interface PlanLine {
  item_id: string;
  sku: string;
  name: string;
  bom_id: string;
  batch_qty: number;
  on_hand: number;
  planned_open: number;
  min: number;
  max: number;
  qty: number;
  reason: string;
}

export interface ProductionPlan {
  site_id: string;
  date: string;
  lines: PlanLine[];
}

export interface BomTreeNode {
  depth: number;
  parent_item_id: string;
  item_id: string;
  sku: string;
  name: string;
  base_unit: string;
  qty: number;
  sub_assembly: boolean;
  unit_cost?: string;
  cost?: string;
}

export interface BomTree {
  item_id: string;
  bom_id: string;
  version: number;
  unit_cost?: string;
  nodes: BomTreeNode[];
}

export interface Bom {
  id: string;
  item_id: string;
  version: number;
  status: 'active' | 'superseded';
  batch_qty: number;
  yield: string;
  scrap: string;
  labour?: string;
  labour_basis: 'batch' | 'unit';
  overhead?: string;
  overhead_basis: 'batch' | 'unit';
  shelf_life_days: number | null;
  note: string | null;
  created_at: string;
}

export const STATUS_OPTIONS = [
  { value: '', label: 'Any status' },
  { value: 'planned', label: 'Planned' },
  { value: 'started', label: 'Started' },
  { value: 'completed', label: 'Completed' },
  { value: 'closed', label: 'Closed' },
  { value: 'cancelled', label: 'Cancelled' },
];

export function useProductionOrder(id: string) {
  return useQuery({ queryKey: ['production-order', id], queryFn: () => api.get<ProductionOrder>(`/api/v1/production-orders/${id}`) });
}
