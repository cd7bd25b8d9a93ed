export const IMPORT_FIELDS = [
  'sku', 'name', 'description', 'category', 'base_unit', 'price', 'barcodes', 'cost',
  'handle', 'product_name', 'option1_name', 'option1_value', 'option2_name', 'option2_value', 'option3_name', 'option3_value', 'variation_name',
] as const;

export interface Mapping {
  fields: Record<string, string>;
  stock: Array<{ column: string; site: string }>;
}

export interface Preview {
  format: 'csv' | 'xlsx';
  layout: string;
  headers: string[];
  mapping: Mapping;
  sample: string[][];
}

export interface ImportJob {
  id: string;
  layout: string;
  dry_run: boolean;
  status: 'running' | 'done' | 'failed';
  rows_total: number;
  rows_done: number;
  created: number;
  updated: number;
  unchanged: number;
  error_count: number;
  errors: Array<{ row: number; column: string | null; code: string; message: string }>;
  failure: string | null;
}
