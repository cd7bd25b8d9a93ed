import { bannerHeadline } from './banner-text.ts';
import { useOffline } from './OfflineProvider.tsx';

/** The line at the top of every screen while anything is offline or waiting, with the writes the server refused and what became of those it took. */
export function OfflineBanner() {
  const offline = useOffline();
  const headline = bannerHeadline(offline);
  if (!headline && offline.held.length === 0 && offline.posted.length === 0) return null;
  return (
    <div className="offline-banner" data-testid="offline-banner">
      {headline && (
        <p className={`banner ${offline.online ? 'banner-info' : 'banner-warn'}`} role="status" data-testid="offline-status">
          {headline}
          {offline.online && offline.entries.some((e) => e.state === 'waiting') && (
            <button type="button" className="button ghost" onClick={() => void offline.replay()} disabled={offline.replaying}>
              {offline.replaying ? 'Sending…' : 'Send now'}
            </button>
          )}
        </p>
      )}
      {offline.held.length > 0 && (
        <div className="banner banner-error" role="alert">
          <strong>The server refused {offline.held.length === 1 ? 'one write' : `${offline.held.length} writes`} made offline; they are kept until you decide.</strong>
          <ul className="plain">
            {offline.held.map((e) => (
              <li key={e.seq}>
                {e.summary} ({new Date(e.occurredAt).toLocaleString()}): {e.problem?.detail}{' '}
                <button type="button" className="button ghost" onClick={() => void offline.retry(e.seq)}>
                  Try again
                </button>
                <button type="button" className="button ghost" onClick={() => void offline.discard(e.seq)}>
                  Discard
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {offline.posted.length > 0 && (
        <details className="offline-sent">
          <summary>Sent after reconnecting: {offline.posted.length}</summary>
          <ul className="plain" data-testid="offline-sent">
            {offline.posted.map((p, i) => (
              <li key={i}>
                {p.summary}: {p.detail}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
