import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { ErrorBanner, SelectField, TextField } from '../../components/ui.tsx';
import type { Product } from './types.ts';

/** Adds a value to one option: the server makes a variant for every combination of the others (a new size in every colour). */
export function AddValueForm({ product }: { product: Product }) {
  const client = useQueryClient();
  const [option, setOption] = useState(product.options[0]?.name ?? '');
  const [value, setValue] = useState('');
  const [price, setPrice] = useState('');
  const add = useMutation({
    mutationFn: () => api.post<Product>(`/api/v1/products/${product.id}/option-values`, { option, value, ...(price ? { price } : {}) }),
    onSuccess: (p) => {
      client.setQueryData(['product', product.id], p);
      setValue('');
    },
  });
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
    >
      <h2>Add a value</h2>
      <SelectField label="Option" value={option} onValue={setOption} options={product.options.map((o) => ({ value: o.name, label: o.name }))} />
      <TextField label="Value" value={value} onValue={setValue} required />
      <TextField label="Price" value={price} onValue={setPrice} inputMode="decimal" placeholder="Default: the same as the row it copies" />
      <ErrorBanner error={add.error} />
      <button type="submit" disabled={!value || add.isPending}>
        Add to every combination
      </button>
    </form>
  );
}
