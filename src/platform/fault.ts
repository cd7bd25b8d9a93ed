import { writeFileSync } from 'node:fs';
import { testControls } from './test-controls.ts';

/**
 * Named points where the crash tests kill the server on purpose, to prove that a crash at any
 * of them loses no acknowledged write. Inert unless STOCKROOM_FAULT is set, which only tests do
 * (it is refused outside NODE_ENV=test, see test-controls.ts):
 * `STOCKROOM_FAULT=before_commit@7` kills the process the 7th time it reaches that point.
 *
 * So the test can tell a death at the fault point from any other, the point first writes its
 * name to the file STOCKROOM_FAULT_MARKER names (synchronously: nothing runs after SIGKILL),
 * then kills the process with SIGKILL, which no handler can turn into a graceful stop.
 */
export type FaultPoint = 'after_movement_insert' | 'after_balance_update' | 'before_commit' | 'after_commit_before_reply';

const spec = process.env.STOCKROOM_FAULT ? /^([a-z_]+)@(\d+)$/.exec(process.env.STOCKROOM_FAULT) : null;
if (process.env.STOCKROOM_FAULT && !spec) throw new Error(`STOCKROOM_FAULT is <point>@<n>, not "${process.env.STOCKROOM_FAULT}"`);
const armedPoint = testControls.faultsAllowed ? (spec?.[1] as FaultPoint | undefined) : undefined;
const markerFile = process.env.STOCKROOM_FAULT_MARKER;
let remaining = spec ? Number(spec[2]) : 0;

export function faultPoint(point: FaultPoint): void {
  if (point !== armedPoint || !testControls.faultPoints) return;
  remaining -= 1;
  if (remaining !== 0) return;
  if (markerFile) writeFileSync(markerFile, `${point} ${process.pid}\n`);
  process.kill(process.pid, 'SIGKILL');
}
