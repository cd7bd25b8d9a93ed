import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { Empty, ErrorBanner, Loading, PageHeader, TextArea, TextField } from '../../components/ui.tsx';
import { parseOptionLines, type Product } from './types.ts';
import { ListTable } from '../../components/ListTable.tsx';

/** Products with variants: the list, and a form that makes a product and its whole option matrix at once. */
export function ProductsPage() {
  const [q, setQ] = useState('');
  const products = useQuery({ queryKey: ['products', q], queryFn: () => api.get<{ data: Product[] }>('/api/v1/products', { q, limit: 100 }) });
  return (
    <section>
      <PageHeader title="Products" actions={<Link to="/items/import">Import a file</Link>}>
        <p className="subtitle">A product groups items as variants by up to three options (size, colour, material).</p>
      </PageHeader>
      <NewProductForm />
      <TextField label="Search" value={q} onValue={setQ} placeholder="Name or handle" />
      <ErrorBanner error={products.error} />
      {products.isPending ? <Loading /> : products.data?.data.length ? <ProductTable products={products.data.data} /> : <Empty>No products yet.</Empty>}
    </section>
  );
}

function ProductTable({ products }: { products: Product[] }) {
  return (
    <ListTable exportName="products">
      <thead>
        <tr>
          <th>Product</th>
          <th>Handle</th>
          <th>Options</th>
          <th>Variants</th>
        </tr>
      </thead>
      <tbody>
        {products.map((p) => (
          <tr key={p.id}>
            <td>
              <Link to={`/items/products/${p.id}`}>{p.name}</Link>
            </td>
            <td>{p.handle}</td>
            <td>{p.options.map((o) => `${o.name} (${o.values.length})`).join(' × ')}</td>
            <td>{p.variants.length}</td>
          </tr>
        ))}
      </tbody>
    </ListTable>
  );
}

function NewProductForm() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [prefix, setPrefix] = useState('');
  const [price, setPrice] = useState('');
  const [options, setOptions] = useState('Size: S, M, L\nColour: Red, Blue');
  const [key] = useState(() => newIdempotencyKey('product'));
  const create = useMutation({
    mutationFn: () =>
      api.post<Product>('/api/v1/products', { name, options: parseOptionLines(options), ...(prefix ? { sku_prefix: prefix } : {}), ...(price ? { price } : {}) }, { idempotencyKey: key }),
    onSuccess: (p) => {
      void client.invalidateQueries({ queryKey: ['products'] });
      void navigate(`/items/products/${p.id}`);
    },
  });
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h2>New product</h2>
      <TextField label="Name" value={name} onValue={setName} required />
      <TextField label="SKU prefix" value={prefix} onValue={setPrefix} placeholder="Default: from the name" />
      <TextField label="Price of each variant" value={price} onValue={setPrice} inputMode="decimal" />
      <TextArea label="Options, one per line (Name: value, value…)" value={options} onValue={setOptions} rows={3} />
      <ErrorBanner error={create.error} />
      <button type="submit" disabled={create.isPending || !name}>
        Create with every combination
      </button>
    </form>
  );
}
