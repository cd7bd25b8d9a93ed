import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { api } from '../api/client.ts';
import type { Item, Page } from '../api/types.ts';
import { readTill, searchCatalogue } from '../offline/cache.ts';
import { isUnreachable } from '../offline/send.ts';

/** The server's search; offline, the catalogue the till keeps. */
async function searchItems(q: string, stockedOnly: boolean, signal: AbortSignal): Promise<Page<Item>> {
  try {
    return await api.get<Page<Item>>('/api/v1/items', { q, limit: 8, ...(stockedOnly ? { stocked: 'true' } : {}) }, signal);
  } catch (error) {
    const till = isUnreachable(error) ? await readTill() : undefined;
    if (!till) throw error;
    return { data: searchCatalogue(till.items.filter((i) => !stockedOnly || i.stocked), q), next_cursor: null };
  }
}

export function useDebounced<T>(value: T, ms = 200): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/**
 * A combobox that finds items by SKU, name or barcode as one types (debounced, server-side),
 * chosen with the arrow keys and Enter or by click.
 */
export function ItemSearch({ label, onPick, placeholder, autoFocus, stockedOnly }: { label: string; onPick(item: Item): void; placeholder?: string; autoFocus?: boolean; stockedOnly?: boolean }) {
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const q = useDebounced(text.trim(), 200);
  const id = useId();
  const results = useQuery({
    queryKey: ['item-search', q, stockedOnly],
    queryFn: ({ signal }) => searchItems(q, stockedOnly ?? false, signal),
    enabled: q.length > 0,
    staleTime: 30_000,
  });
  const items = q.length > 0 ? (results.data?.data ?? []) : [];
  const pick = (item: Item) => {
    onPick(item);
    setText('');
    setOpen(false);
    setActive(0);
  };
  return (
    <div className="combobox">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        role="combobox"
        aria-expanded={open && items.length > 0}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={open && items[active] ? `${id}-opt-${active}` : undefined}
        value={text}
        placeholder={placeholder ?? 'SKU, name or barcode'}
        autoFocus={autoFocus}
        autoComplete="off"
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          setActive(0);
        }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
            setActive((a) => Math.min(a + 1, items.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === 'Enter') {
            const item = items[active];
            if (item && q === text.trim()) {
              e.preventDefault();
              pick(item);
            } else if (text.trim()) e.preventDefault();
          } else if (e.key === 'Escape') setOpen(false);
        }}
      />
      {open && items.length > 0 && (
        <ul id={`${id}-list`} role="listbox" className="combobox-list">
          {items.map((item, i) => (
            <li
              key={item.id}
              id={`${id}-opt-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(item);
              }}
            >
              <strong>{item.name}</strong> <span className="muted">{item.sku}</span>
            </li>
          ))}
        </ul>
      )}
      {open && q.length > 0 && results.isSuccess && items.length === 0 && <div className="combobox-none">No item matches “{q}”.</div>}
    </div>
  );
}
