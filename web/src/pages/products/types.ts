export interface ProductOption {
  name: string;
  values: string[];
}

export interface ProductVariant {
  item_id: string;
  sku: string;
  name: string;
  options: string[];
  price: string | null;
  barcodes: string[];
  status: 'active' | 'archived';
}

export interface Product {
  id: string;
  handle: string;
  name: string;
  description: string | null;
  category: string | null;
  options: ProductOption[];
  status: 'active' | 'archived';
  variants: ProductVariant[];
}

/** "Size: S, M, L" → { name: 'Size', values: ['S', 'M', 'L'] }; one option per line. */
export function parseOptionLines(text: string): ProductOption[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [name = '', values = ''] = line.split(':');
      return { name: name.trim(), values: values.split(',').map((v) => v.trim()).filter(Boolean) };
    });
}
