export interface TaxRate {
  id: string;
  name: string;
  rate: string;
  rules: number;
}

export interface TaxRule {
  site_id: string | null;
  category: string | null;
  tax_rate_id: string;
  name: string;
  rate: string;
}
