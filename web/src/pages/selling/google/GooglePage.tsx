import { PageHeader } from '../../../components/ui.tsx';
import { useSignedIn } from '../../../auth/session.tsx';
import { LocalFeedsCard, ProductFeedCard } from './Feeds.tsx';
import { MerchantCard } from './Merchant.tsx';
import { PushLog } from './PushLog.tsx';

/** Google: the feeds Merchant Center fetches, the service account that pushes, and what the push did. See docs/google.md. */
export function GooglePage() {
  const session = useSignedIn();
  const owner = session.can('settings.write');
  return (
    <section>
      <PageHeader title="Google">
        <p>Shoppers searching nearby see what each store has on its shelf. Merchant Center fetches the feeds below on a schedule, or Stockroom pushes to the Merchant API when a service account is connected.</p>
      </PageHeader>
      <LocalFeedsCard owner={owner} />
      <ProductFeedCard owner={owner} />
      <MerchantCard owner={owner} />
      <PushLog />
    </section>
  );
}
