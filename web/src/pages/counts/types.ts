/** The count documents as the API returns them (see GET /api/v1/counts/{id}). */
export interface CountLine {
  id: string;
  line_no: number;
  sheet_id: string | null;
  location_id: string;
  location_code: string;
  item_id: string;
  sku: string;
  item_name: string;
  base_unit: string;
  lot_id: string | null;
  lot_code: string | null;
  round: number;
  status: 'open' | 'pending' | 'approved' | 'posted' | 'skipped' | 'superseded';
  found: boolean;
  counted_qty: number | null;
  counted_at: string | null;
  counted_by: string | null;
  expected_qty?: number | null;
  variance_qty?: number | null;
  unit_cost?: string | null;
  variance_value?: string | null;
  needs_approval: boolean;
  decision: string | null;
  decision_reason: string | null;
}

export interface CountSummary {
  id: string;
  number: string;
  site_id: string;
  kind: 'full' | 'cycle' | 'spot';
  mode: 'blind' | 'guided';
  status: 'counting' | 'submitted' | 'posted' | 'cancelled';
  note: string | null;
  created_at: string;
  submitted_at: string | null;
  posted_at: string | null;
  expected_visible: boolean;
  summary: { lines: number; counted: number; pending: number; approved: number; posted: number; held_scans: number };
}

export interface Count extends CountSummary {
  sheets: Array<{ id: string; sheet_no: number; name: string; location_ids: string[]; counter_id: string | null }>;
  lines: CountLine[];
  unknown_scans: Array<{ id: string; location_id: string; code: string; qty: number; status: string; scanned_at: string }>;
}

export interface ScanResult {
  result: 'counted' | 'held';
  line: CountLine | null;
  unknown_scan_id: string | null;
}
