import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { Link } from 'react-router';
import { describeError } from '../api/problem.ts';
import { useSettings } from '../auth/session.tsx';
import { formatDate, formatDateTime } from '../lib/dates.ts';
import { formatMoney, formatQty, formatUnitCost } from '../lib/decimal.ts';

export { formatDate, formatDateTime };

/** A labelled control with its error beside it, announced and tied to the control for screen readers. */
function FieldShell({ label, error, hint, id, children }: { label: ReactNode; error?: string; hint?: string; id: string; children: ReactNode }) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error && (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <div className="field-error" id={`${id}-error`} role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange'> & {
  label: ReactNode;
  error?: string;
  hint?: string;
  onValue?: (value: string) => void;
  onChange?: InputHTMLAttributes<HTMLInputElement>['onChange'];
};

export function TextField({ label, error, hint, onValue, onChange, id: givenId, ...rest }: InputProps) {
  const auto = useId();
  const id = givenId ?? auto;
  return (
    <FieldShell label={label} error={error} hint={hint} id={id}>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
        onChange={onChange ?? ((e) => onValue?.(e.target.value))}
        {...rest}
      />
    </FieldShell>
  );
}

export function TextArea({ label, error, onValue, ...rest }: Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'onChange'> & { label: ReactNode; error?: string; onValue(v: string): void }) {
  const id = useId();
  return (
    <FieldShell label={label} error={error} id={id}>
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} onChange={(e) => onValue(e.target.value)} {...rest} />
    </FieldShell>
  );
}

export function SelectField({
  label,
  error,
  hint,
  onValue,
  options,
  ...rest
}: Omit<SelectHTMLAttributes<HTMLSelectElement>, 'onChange'> & { label: ReactNode; error?: string; hint?: string; onValue(v: string): void; options: ReadonlyArray<{ value: string; label: string }> }) {
  const id = useId();
  return (
    <FieldShell label={label} error={error} hint={hint} id={id}>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined} onChange={(e) => onValue(e.target.value)} {...rest}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

export function CheckField({ label, checked, onValue, hint }: { label: ReactNode; checked: boolean; onValue(v: boolean): void; hint?: string }) {
  const id = useId();
  return (
    <div className="field field-check">
      <input type="checkbox" id={id} checked={checked} onChange={(e) => onValue(e.target.checked)} aria-describedby={hint ? `${id}-hint` : undefined} />
      <label htmlFor={id}>{label}</label>
      {hint && (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
    </div>
  );
}

/** The problems of a form that belong to no one field, at its top. */
export function FormErrors({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <div className="banner banner-error" role="alert">
      {messages.length === 1 ? (
        <p>{messages[0]}</p>
      ) : (
        <ul>
          {messages.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ErrorBanner({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert">
      {title && <strong>{title}: </strong>}
      {describeError(error)}
    </div>
  );
}

/**
 * An amount of money, to the currency's minor unit. `unitCost` marks what one base unit cost,
 * shown with up to four decimals where a fraction of a cent is real; the page labels it so.
 * (`total` is accepted from pages written when amounts were shown unrounded; every amount is now.)
 */
export function Money({ value, currency, unitCost }: { value: string | null | undefined; currency?: string; unitCost?: boolean; total?: boolean }) {
  const settings = useSettings();
  const format = unitCost ? formatUnitCost : formatMoney;
  return <span className="num">{format(value, currency ?? settings.base_currency)}</span>;
}

export function Qty({ value, unit }: { value: number | null | undefined; unit?: string }) {
  return <span className={`num${value !== null && value !== undefined && value < 0 ? ' negative' : ''}`}>{formatQty(value, unit)}</span>;
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </div>
  );
}

/** Progress of a long operation: determinate when `value`/`max` are known. */
export function Progress({ label, value, max }: { label: string; value?: number; max?: number }) {
  return (
    <div className="progress" role="status" aria-live="polite">
      <span>{label}</span>
      <progress value={value} max={max} aria-label={label} />
    </div>
  );
}

/** The next page of an infinite query; nothing once it is complete. A list page uses PagedList (components/PagedList.tsx), which has this built in. */
export function ShowMore({ query }: { query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage(): Promise<unknown> } }) {
  if (!query.hasNextPage) return null;
  return (
    <button type="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
      {query.isFetchingNextPage ? 'Loading…' : 'Show more'}
    </button>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function PageHeader({ title, actions, children }: { title: string; actions?: ReactNode; children?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {children}
      </div>
      {actions && <div className="actions">{actions}</div>}
    </header>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status.replace(/_/g, ' ')}</span>;
}

export function Stat({ label, value, to, tone, testId }: { label: string; value: ReactNode; to?: string; tone?: 'warn' | 'bad' | 'good'; testId?: string }) {
  const body = (
    <>
      <span className="stat-value" data-testid={testId}>
        {value}
      </span>
      <span className="stat-label">{label}</span>
    </>
  );
  return to ? (
    <Link className={`stat ${tone ?? ''}`} to={to}>
      {body}
    </Link>
  ) : (
    <div className={`stat ${tone ?? ''}`}>{body}</div>
  );
}
