import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import { ErrorBanner } from '../../components/ui.tsx';
import type { Product, ProductVariant } from './types.ts';

/** Every combination of the options after the first, in order: the matrix's columns. */
function columnsOf(product: Product): string[][] {
  return product.options.slice(1).reduce<string[][]>((rows, option) => rows.flatMap((row) => option.values.map((v) => [...row, v])), [[]]);
}

function find(product: Product, values: string[]): ProductVariant | undefined {
  return product.variants.find((v) => v.options.length === values.length && v.options.every((o, i) => o === values[i]));
}

/**
 * The matrix editor: a row per value of the first option, a column per combination of the others,
 * each cell a variant (its SKU and price, linked to its item page). A price typed at the end of a
 * row sets every variant in that row.
 */
export function VariantMatrix({ product }: { product: Product }) {
  const rowOption = product.options[0]!;
  const columns = columnsOf(product);
  return (
    <table className="matrix">
      <thead>
        <tr>
          <th>{rowOption.name}</th>
          {columns.map((c) => (
            <th key={c.join('/')}>{c.join(' / ') || 'Variant'}</th>
          ))}
          <th>Row price</th>
        </tr>
      </thead>
      <tbody>
        {rowOption.values.map((value) => (
          <tr key={value}>
            <th scope="row">{value}</th>
            {columns.map((c) => {
              const variant = find(product, [value, ...c]);
              return <td key={c.join('/')}>{variant ? <Link to={`/items/${variant.item_id}`}>{variant.sku}</Link> : '—'}{variant && <div>{variant.price ?? 'no price'}</div>}</td>;
            })}
            <td>
              <RowPrice product={product} option={rowOption.name} value={value} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RowPrice({ product, option, value }: { product: Product; option: string; value: string }) {
  const client = useQueryClient();
  const [price, setPrice] = useState('');
  const save = useMutation({
    mutationFn: () => api.post<Product>(`/api/v1/products/${product.id}/row-price`, { option, value, price }),
    onSuccess: (p) => {
      client.setQueryData(['product', product.id], p);
      setPrice('');
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <input aria-label={`Price of every ${value}`} value={price} onChange={(e) => setPrice(e.target.value)} inputMode="decimal" size={8} />
      <button type="submit" disabled={!price || save.isPending}>
        Set
      </button>
      <ErrorBanner error={save.error} />
    </form>
  );
}
