import cliProgress from 'cli-progress';

/**
 * Progress of long work (the demo's simulated months, a backup): a bar on stderr when it is a
 * terminal, with the time taken so far and an estimate of the time left; silence otherwise (logs,
 * CI), where callers print an occasional `progressLine`.
 */
export function progressBar(label: string): { update(done: number, total: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% {value}/{total} | {duration_formatted} elapsed | {eta_formatted} left`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      // The estimate averages the last 100 updates: a simulated month is not as busy as the next.
      etaBuffer: 100,
      etaAsynchronousUpdate: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** 75 → "1m 15s"; 3725 → "1h 02m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "12 of 450, 1m 15s elapsed, about 45m 30s left": the rate so far, projected over what remains. */
export function progressLine(done: number, total: number, elapsedMs: number): string {
  const elapsed = formatDuration(elapsedMs / 1000);
  if (done <= 0 || done >= total) return `${done} of ${total}, ${elapsed} elapsed`;
  const leftS = ((elapsedMs / done) * (total - done)) / 1000;
  return `${done} of ${total}, ${elapsed} elapsed, about ${formatDuration(leftS)} left`;
}
