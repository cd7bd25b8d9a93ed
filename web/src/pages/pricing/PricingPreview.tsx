import type { PricingResult } from '../../api/types.ts';
import { Money } from '../../components/ui.tsx';
import { ListTable } from '../../components/ListTable.tsx';

const percent = (v: string | null) => (v === null ? '—' : `${v} %`);

/** The lines of a preview or an applied repricing: cost, price and margin before and after. */
export function PricingPreview({ result }: { result: PricingResult }) {
  return (
    <div className="card">
      <h2>{result.applied ? 'Applied' : 'Preview'}</h2>
      <p className="muted">
        {result.rule} · {result.changed} to change · {result.skipped} without a cost (left as they are)
      </p>
      <ListTable exportName="pricing-preview">
        <thead>
          <tr>
            <th scope="col">SKU</th>
            <th scope="col">Name</th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col" className="num">
              Price before
            </th>
            <th scope="col" className="num">
              Margin before
            </th>
            <th scope="col" className="num">
              Price after
            </th>
            <th scope="col" className="num">
              Margin after
            </th>
          </tr>
        </thead>
        <tbody>
          {result.lines.map((l) => (
            <tr key={l.item_id} className={l.outcome === 'no_cost' ? 'muted' : undefined}>
              <td className="mono">{l.sku}</td>
              <td>{l.name}</td>
              <td className="num">{l.cost === null ? 'no cost' : <Money value={l.cost} unitCost />}</td>
              <td className="num">
                <Money value={l.price_before} />
              </td>
              <td className="num">{percent(l.margin_before_percent)}</td>
              <td className="num">
                <strong>
                  <Money value={l.price_after} />
                </strong>
              </td>
              <td className="num">{percent(l.margin_after_percent)}</td>
            </tr>
          ))}
        </tbody>
      </ListTable>
    </div>
  );
}
