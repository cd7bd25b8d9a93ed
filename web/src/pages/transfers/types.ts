import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';

/** A transfer as the API answers it (GET /api/v1/transfers/{id}). Values are left out for staff. */
export type TransferStatus = 'requested' | 'draft' | 'picked' | 'in_transit' | 'received' | 'closed' | 'cancelled';

export interface TransferLine {
  id: string;
  line_no: number;
  item_id: string;
  sku: string;
  name: string;
  tracking: 'none' | 'lot' | 'serial';
  qty_requested: number;
  qty_allocated: number;
  qty_picked: number;
  qty_shipped: number;
  qty_received: number;
  qty_over: number;
  qty_damaged: number;
  qty_lost: number;
  qty_in_transit: number;
  in_transit: Array<{ lot_id: string | null; lot_code: string | null; qty: number }>;
  value_shipped?: string;
  value_received?: string;
  value_damaged?: string;
  value_lost?: string;
  value_in_transit?: string;
}

export interface Transfer {
  id: string;
  number: string;
  status: TransferStatus;
  source_site: { id: string; code: string; name: string };
  destination_site: { id: string; code: string; name: string };
  destination_bin: { id: string; code: string };
  over_tolerance: string;
  note: string | null;
  created_at: string;
  first_shipped_at: string | null;
  last_received_at: string | null;
  closed_at: string | null;
  lines: TransferLine[];
  allocations: Array<{ id: string; line_id: string; bin_id: string; bin: string; lot_code: string | null; expires_on: string | null; qty: number; qty_picked: number; qty_shipped: number }>;
  postings: Array<{ id: string; kind: 'shipment' | 'receipt' | 'close'; effective_at: string; note: string | null }>;
  discrepancies: Array<{ id: string; line_id: string; kind: 'short' | 'over' | 'damaged' | 'lost'; qty: number; detail: string }>;
}

export const STATUS_OPTIONS = [
  { value: '', label: 'Any status' },
  { value: 'requested', label: 'Requested' },
  { value: 'draft', label: 'Draft (to pick)' },
  { value: 'picked', label: 'Picked' },
  { value: 'in_transit', label: 'In transit' },
  { value: 'received', label: 'Received' },
  { value: 'closed', label: 'Closed' },
  { value: 'cancelled', label: 'Cancelled' },
] as const;

export function useTransfer(id: string) {
  return useQuery({ queryKey: ['transfer', id], queryFn: () => api.get<Transfer>(`/api/v1/transfers/${id}`), enabled: id !== '' });
}

/** Whether the person may act on a side of the transfer: granted every site, or that one. */
export function grantedSide(sites: 'all' | string[], siteId: string): boolean {
  return sites === 'all' || sites.includes(siteId);
}
