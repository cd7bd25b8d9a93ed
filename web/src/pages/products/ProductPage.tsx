import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api } from '../../api/client.ts';
import { ErrorBanner, Loading, PageHeader } from '../../components/ui.tsx';
import { AddValueForm } from './AddValueForm.tsx';
import { VariantMatrix } from './VariantMatrix.tsx';
import type { Product } from './types.ts';

/** One product: its variant matrix (rows by the first option), prices set a row at a time, and new option values. */
export function ProductPage() {
  const { id = '' } = useParams();
  const product = useQuery({ queryKey: ['product', id], queryFn: () => api.get<Product>(`/api/v1/products/${id}`) });
  if (product.isPending) return <Loading />;
  if (!product.data) return <ErrorBanner error={product.error} />;
  const p = product.data;
  return (
    <section>
      <PageHeader title={p.name}>
        <p className="subtitle">
          {p.handle} · {p.variants.length} variants · {p.options.map((o) => o.name).join(' × ')}
        </p>
      </PageHeader>
      <VariantMatrix product={p} />
      <AddValueForm product={p} />
    </section>
  );
}
