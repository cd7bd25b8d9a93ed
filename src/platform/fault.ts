/**
 * Named points where the crash tests kill the server on purpose, to prove that a crash at any
 * of them loses no acknowledged write. Inert unless STOCKROOM_FAULT is set, which only tests do:
 * `STOCKROOM_FAULT=before_commit@7` kills the process the 7th time it reaches that point.
 */
export type FaultPoint = 'after_movement_insert' | 'after_balance_update' | 'before_commit' | 'after_commit_before_reply';

const spec = process.env.STOCKROOM_FAULT ? /^([a-z_]+)@(\d+)$/.exec(process.env.STOCKROOM_FAULT) : null;
const armedPoint = spec?.[1] as FaultPoint | undefined;
let remaining = spec ? Number(spec[2]) : 0;

export function faultPoint(point: FaultPoint): void {
  if (point !== armedPoint) return;
  remaining -= 1;
  if (remaining === 0) process.kill(process.pid, 'SIGKILL');
}
