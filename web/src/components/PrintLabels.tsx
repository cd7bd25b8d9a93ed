import { useState } from 'react';
import { postForDownload } from '../api/client.ts';
import { ErrorBanner, SelectField } from './ui.tsx';

/** What to label; the same shapes as the `source` of POST /api/v1/labels. */
export type LabelSource =
  | { kind: 'items'; items: Array<{ item_id: string; copies?: number }> }
  | { kind: 'bins'; bin_ids: string[] }
  | { kind: 'receipt'; receipt_id: string; per?: 'unit' | 'case' };

const templates = [
  { value: 'shelf_tag', label: 'Shelf price tag' },
  { value: 'product', label: 'Product label with barcode' },
  { value: 'bin', label: 'Bin label' },
];
const layouts = [
  { value: 'single', label: 'One label per page' },
  { value: 'avery_l7160', label: 'Avery L7160 (A4, 21 a sheet)' },
  { value: 'avery_5160', label: 'Avery 5160 (Letter, 30 a sheet)' },
];
const formats = [
  { value: 'pdf', label: 'PDF' },
  { value: 'zpl', label: 'ZPL (Zebra printer)' },
];

/**
 * "Print labels": a small form that downloads the labels of an item, a selection, a receipt or
 * bins as PDF or ZPL. Prices and codes only — nothing on a label is a cost.
 */
export function PrintLabels({ source, defaultTemplate = 'product', disabled }: { source: LabelSource; defaultTemplate?: 'shelf_tag' | 'product' | 'bin'; disabled?: boolean }) {
  const [open, setOpen] = useState(false);
  const [template, setTemplate] = useState<string>(defaultTemplate);
  const [layout, setLayout] = useState('single');
  const [format, setFormat] = useState('pdf');
  const [per, setPer] = useState<'unit' | 'case'>('unit');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (!open) {
    return (
      <button type="button" className="button" disabled={disabled} onClick={() => setOpen(true)}>
        Print labels
      </button>
    );
  }
  const print = async () => {
    setBusy(true);
    setError(null);
    try {
      const body = { source: source.kind === 'receipt' ? { ...source, per } : source, template, layout, format };
      await postForDownload('/api/v1/labels', body, `labels.${format}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="card print-labels" role="group" aria-label="Print labels">
      {error ? <ErrorBanner error={error} title="The labels could not be made" /> : null}
      <SelectField label="Template" value={template} onValue={setTemplate} options={templates} />
      <SelectField label="Layout" value={layout} onValue={setLayout} options={layouts} />
      <SelectField label="Format" value={format} onValue={setFormat} options={formats} />
      {source.kind === 'receipt' && (
        <SelectField label="How many" value={per} onValue={(v) => setPer(v as 'unit' | 'case')} options={[{ value: 'unit', label: 'One per unit' }, { value: 'case', label: 'One per case' }]} />
      )}
      <button type="button" className="button primary" disabled={busy} onClick={print}>
        {busy ? 'Making labels…' : 'Download labels'}
      </button>{' '}
      <button type="button" className="button ghost" onClick={() => setOpen(false)}>
        Close
      </button>
    </div>
  );
}
