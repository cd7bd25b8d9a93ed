import { ApiError } from '../api/problem.ts';
import type { QueuedWrite, SendOutcome } from './queue.ts';

/**
 * How one queued write's answer is read. Posted: done. No connection (status 0), a server that is
 * busy or failing (429, 5xx), or a request still in flight under the same key (409 `conflict`):
 * stop and try again later, in the same order. 401: the session ended; the queue waits for a
 * sign-in. Any other problem is the server refusing this write for what it says: it is held for
 * a person, and the writes after it still go.
 */
export function outcomeOfError(error: unknown): SendOutcome {
  if (!(error instanceof ApiError)) return { kind: 'offline' };
  if (error.status === 0) return { kind: 'offline' };
  if (error.status === 401) return { kind: 'signed_out' };
  if (error.status === 429 || error.status >= 500 || (error.status === 409 && error.code === 'conflict')) return { kind: 'busy' };
  if (error.status === 403 && error.code === 'csrf_failed') return { kind: 'signed_out' };
  // Keys are stored only with a success, so "reused" means the first attempt (the one whose answer
  // was lost, sent before the till knew it was offline) did post.
  if (error.code === 'idempotency_key_reused') return { kind: 'posted', response: { already_posted: true } };
  return { kind: 'rejected', code: error.code, detail: error.detail };
}

export type Post = (path: string, body: unknown, idempotencyKey: string) => Promise<unknown>;

/** A Sender over an HTTP POST that throws ApiError, as the app's client does. */
export function httpSender(post: Post) {
  return async (entry: QueuedWrite): Promise<SendOutcome> => {
    try {
      return { kind: 'posted', response: await post(entry.path, entry.body, entry.idempotencyKey) };
    } catch (error) {
      return outcomeOfError(error);
    }
  };
}

/** True when a failed write should go to the queue rather than be shown as an error: the server could not be reached. */
export function isUnreachable(error: unknown): boolean {
  return error instanceof ApiError ? error.status === 0 : error instanceof TypeError;
}
