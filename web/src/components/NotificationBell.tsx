import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import type { NotificationPage } from '../api/types.ts';
import { formatDateTime } from './ui.tsx';

const QUERY_KEY = ['notifications', 'bell'];

/**
 * The bell in the header: how many in-app notifications are unread, and the latest ones in a
 * panel. It asks again every minute; opening it does not mark anything read — reading one (or
 * "Mark all read") does, so a glance does not lose an alert.
 */
export function NotificationBell() {
  const [open, setOpen] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const qc = useQueryClient();
  const query = useQuery({
    queryKey: QUERY_KEY,
    queryFn: () => api.get<NotificationPage>('/api/v1/notifications', { limit: 10 }),
    refetchInterval: 60_000,
  });
  const markRead = useMutation({
    mutationFn: (body: { ids: string[] } | { all: true }) => api.post<{ marked: number }>('/api/v1/notifications/read', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['notifications'] }),
  });
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !panel.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);
  const unread = query.data?.unread_count ?? 0;
  return (
    <div className="bell" ref={panel}>
      <button type="button" className="ghost" aria-expanded={open} aria-haspopup="true" onClick={() => setOpen(!open)} aria-label={`Notifications, ${unread} unread`}>
        <span aria-hidden="true">🔔</span>
        {unread > 0 && <span className="bell-count">{unread > 99 ? '99+' : unread}</span>}
      </button>
      {open && (
        <div className="bell-panel" role="region" aria-label="Notifications">
          <div className="bell-head">
            <strong>Notifications</strong>
            {unread > 0 && (
              <button type="button" className="link" onClick={() => markRead.mutate({ all: true })}>
                Mark all read
              </button>
            )}
          </div>
          {query.data && query.data.data.length === 0 && <p className="muted">Nothing yet. Choose what to hear about in your alert settings.</p>}
          <ul>
            {query.data?.data.map((n) => (
              <li key={n.id} className={n.read_at ? 'read' : 'unread'}>
                <button type="button" className="link" onClick={() => !n.read_at && markRead.mutate({ ids: [n.id] })}>
                  <strong>{n.title}</strong>
                </button>
                <p>{n.body}</p>
                <small>{formatDateTime(n.created_at)}</small>
              </li>
            ))}
          </ul>
          <Link to="/account/alerts" onClick={() => setOpen(false)}>
            Alert settings
          </Link>
        </div>
      )}
    </div>
  );
}
