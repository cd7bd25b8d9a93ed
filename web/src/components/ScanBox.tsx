import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { startCamera, signalRead, useWedgeScanner, type CameraReader } from '../lib/scanning.ts';

export interface ScanOutcome {
  ok: boolean;
  /** What to show for this read: the item found, or why it was not. */
  message: string;
}

interface LogEntry extends ScanOutcome {
  code: string;
  at: number;
}

/**
 * Where scans come in: a keyboard-wedge scanner anywhere on the page, the camera, or a code
 * typed into the box. Each read beeps (or buzzes) and is listed with a clear mark: ✓ for a
 * known code, ✗ for one that is not.
 */
export function ScanBox({
  onScan,
  label = 'Scan or type a code',
  submitLabel = 'Add',
  busy,
  camera = true,
  compact,
}: {
  onScan(code: string): Promise<ScanOutcome>;
  label?: string;
  /** What the button does with a typed code: "Add" at the counter, "Look up" in the scanner's look-up. */
  submitLabel?: string;
  busy?: boolean;
  camera?: boolean;
  compact?: boolean;
}) {
  const id = useId();
  const [text, setText] = useState('');
  const [log, setLog] = useState<LogEntry[]>([]);
  const [cameraOn, setCameraOn] = useState(false);
  const [cameraError, setCameraError] = useState<string | null>(null);
  const [engine, setEngine] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  // The camera runs across renders; it must call the page's latest handler (today's quantity, say).
  const latest = useRef(onScan);
  latest.current = onScan;

  // Reads are handled one at a time, in the order they came, however fast the scanner is.
  const handle = (code: string) => {
    const trimmed = code.replace(/[\r\n]+$/, '');
    if (!trimmed) return;
    queue.current = queue.current.then(async () => {
      let outcome: ScanOutcome;
      try {
        outcome = await latest.current(trimmed);
      } catch (error) {
        outcome = { ok: false, message: error instanceof Error ? error.message : String(error) };
      }
      signalRead(outcome.ok ? 'ok' : 'unknown');
      setLog((l) => [{ ...outcome, code: trimmed, at: Date.now() }, ...l].slice(0, compact ? 5 : 12));
    });
  };
  useWedgeScanner(handle);

  useEffect(() => {
    if (!cameraOn || !video.current) return;
    let reader: CameraReader | null = null;
    let cancelled = false;
    setCameraError(null);
    startCamera(video.current, handle)
      .then((r) => {
        if (cancelled) r.stop();
        else {
          reader = r;
          setEngine(r.engine);
        }
      })
      .catch((e: Error) => {
        setCameraError(e.name === 'NotAllowedError' ? 'The camera was not allowed. Allow it in the browser’s site settings, or use a scanner or the box.' : `No camera: ${e.message}`);
        setCameraOn(false);
      });
    return () => {
      cancelled = true;
      reader?.stop();
    };
    // Only switching the camera on or off restarts it; `handle` reads the latest handler through a ref.
  }, [cameraOn]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    handle(text);
    setText('');
  };
  const last = log[0];
  return (
    <div className={`scanbox${compact ? ' compact' : ''}`}>
      <form onSubmit={submit} className="scan-form">
        <label htmlFor={id}>{label}</label>
        <div className="row">
          <input id={id} data-scan-field="" value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" autoCapitalize="off" spellCheck={false} placeholder="Barcode, SKU or GS1 label" />
          <button type="submit" disabled={busy || !text.trim()}>
            {submitLabel}
          </button>
          {camera && (
            <button type="button" onClick={() => setCameraOn((c) => !c)} aria-pressed={cameraOn}>
              {cameraOn ? 'Stop camera' : 'Use camera'}
            </button>
          )}
        </div>
      </form>
      {cameraError && (
        <p className="field-error" role="alert">
          {cameraError}
        </p>
      )}
      {cameraOn && (
        <div className="camera">
          <video ref={video} muted playsInline aria-label="Camera view for scanning" />
          {engine && <span className="muted">Reading with {engine === 'zxing' ? 'the zxing library' : 'the browser’s barcode detector'}</span>}
        </div>
      )}
      <div className={`scan-last ${last ? (last.ok ? 'ok' : 'unknown') : ''}`} role="status" aria-live="assertive" data-testid="scan-last">
        {last ? (
          <>
            <span className="mark" aria-hidden="true">
              {last.ok ? '✓' : '✗'}
            </span>{' '}
            <span className="mono">{last.code}</span> — {last.ok ? last.message : `Unknown: ${last.message}`}
          </>
        ) : (
          'Ready to scan: use a scanner, the camera or the box.'
        )}
      </div>
      {log.length > 1 && (
        <ol className="scan-log" aria-label="Earlier scans">
          {log.slice(1).map((entry) => (
            <li key={entry.at + entry.code} className={entry.ok ? 'ok' : 'unknown'}>
              <span aria-hidden="true">{entry.ok ? '✓' : '✗'}</span> <span className="mono">{entry.code}</span> {entry.ok ? entry.message : `unknown — ${entry.message}`}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
