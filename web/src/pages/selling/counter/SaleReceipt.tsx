import { Link } from 'react-router';
import { useSettings, useSignedIn } from '../../../auth/session.tsx';
import { formatDateTime } from '../../../components/ui.tsx';
import { formatMoney, formatQty, isZeroMoney } from '../../../lib/decimal.ts';
import type { Sale } from '../types.ts';

/**
 * The receipt as a customer reads it, from top to bottom: each line at its price before tax
 * (quantity × unit price with modifiers), their sum as the subtotal, the discounts (only when
 * there are any), the tax, and the total, so the figures add up on paper. The margin is shown
 * on screen to those who see costs, and never printed.
 */
export function SaleReceipt({ sale }: { sale: Sale }) {
  const settings = useSettings();
  const session = useSignedIn();
  const c = sale.currency;
  const rates = [...new Set(sale.lines.map((l) => l.tax_rate).filter((r): r is string => r !== undefined))];
  const saleDiscount = sale.discounts.find((d) => d.line_id === null);
  return (
    <div className="card receipt-print" role="region" aria-label={`Receipt ${sale.number}`} data-testid="receipt">
      <h2>
        {settings.shop_name} — receipt {sale.number}
      </h2>
      <p className="muted">
        {formatDateTime(sale.created_at)} · register {sale.register}
        {sale.employee ? ` · ${sale.employee}` : ''}
      </p>
      <table>
        <tbody>
          {sale.lines.map((l) => (
            <tr key={l.id} data-testid="receipt-line">
              <td>
                {formatQty(l.qty)} × {l.name}
                {l.modifiers.map((m) => (
                  <div key={m.modifier_id} className="muted">
                    + {m.name}
                    {!isZeroMoney(m.price_delta) && ` (+${formatMoney(m.price_delta, c)})`}
                  </div>
                ))}
                {l.qty !== 1 && <div className="muted">@ {formatMoney(l.unit_price, c)} each</div>}
                {!isZeroMoney(l.discount) && <div className="muted">discount −{formatMoney(l.discount, c)}</div>}
              </td>
              <td className="num" data-testid="receipt-line-amount">
                {formatMoney(l.gross, c)}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td>Subtotal</td>
            <td className="num" data-testid="receipt-subtotal">
              {formatMoney(sale.totals.subtotal, c)}
            </td>
          </tr>
          {!isZeroMoney(sale.totals.discount) && (
            <tr>
              <td>Discounts{saleDiscount ? ` (${saleDiscount.reason})` : ''}</td>
              <td className="num" data-testid="receipt-discount">
                −{formatMoney(sale.totals.discount, c)}
              </td>
            </tr>
          )}
          <tr>
            <td>{sale.tax_included ? 'Tax included' : 'Tax'}{rates.length === 1 && !/^0(\.0*)?$/.test(rates[0]!) ? ` (${rates[0]}%)` : ''}</td>
            <td className="num" data-testid="receipt-tax">
              {formatMoney(sale.totals.tax, c)}
            </td>
          </tr>
          <tr>
            <td>
              <strong>Total</strong>
            </td>
            <td className="num" data-testid="receipt-total">
              <strong>{formatMoney(sale.totals.total, c)}</strong>
            </td>
          </tr>
          {sale.payments.map((p, i) => (
            <tr key={i}>
              <td>Paid {p.tender}</td>
              <td className="num">{formatMoney(p.amount, c)}</td>
            </tr>
          ))}
          {!isZeroMoney(sale.totals.change) && (
            <tr>
              <td>Change</td>
              <td className="num" data-testid="receipt-change">
                {formatMoney(sale.totals.change, c)}
              </td>
            </tr>
          )}
          {session.seesCosts && sale.margin && (
            <tr className="no-print">
              <td>Margin (not printed)</td>
              <td className="num" data-testid="receipt-margin">
                {formatMoney(sale.margin, c)}
              </td>
            </tr>
          )}
        </tfoot>
      </table>
      {sale.warnings.length > 0 && <p className="warning no-print">The records now show negative stock for {sale.warnings.length} item(s): a count is due.</p>}
      <div className="row no-print">
        <button type="button" onClick={() => window.print()}>
          Print receipt
        </button>
        <Link to={`/selling/sales/${sale.id}`}>Open the sale</Link>
      </div>
    </div>
  );
}
