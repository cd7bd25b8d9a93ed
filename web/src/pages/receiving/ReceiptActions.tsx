import type { Receipt } from '../../api/types.ts';
import { useSignedIn } from '../../auth/session.tsx';

export type ReceiptAction = 'post' | 'approve' | 'reject' | 'cancel';

/** Post, approve, send back or cancel, as the receipt's status and the person's rights allow. */
export function ReceiptActions({ receipt: r, busy, onAction }: { receipt: Receipt; busy: boolean; onAction(action: ReceiptAction): void }) {
  const session = useSignedIn();
  const editable = r.status === 'draft';
  return (
    <>
      {editable && session.can('receiving.write') && (
        <button type="button" className="primary" onClick={() => onAction('post')} disabled={busy || r.lines.length === 0}>
          {r.needs_approval ? 'Submit for approval' : 'Post receipt'}
        </button>
      )}
      {r.status === 'awaiting_approval' && session.can('purchasing.approve') && (
        <>
          <button type="button" className="primary" onClick={() => onAction('approve')}>
            Approve
          </button>
          <button type="button" onClick={() => onAction('reject')}>
            Send back
          </button>
        </>
      )}
      {(editable || r.status === 'awaiting_approval') && session.can('receiving.write') && (
        <button type="button" onClick={() => confirm('Cancel this receipt? Nothing it lists is received.') && onAction('cancel')}>
          Cancel receipt
        </button>
      )}
    </>
  );
}
