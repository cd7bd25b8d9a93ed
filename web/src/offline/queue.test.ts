import { describe, expect, it } from 'vitest';
import { ApiError, toProblem } from '../api/problem.ts';
import { MemoryQueueStore, OfflineQueue, QUEUE_MAX, type NewQueuedWrite, type QueuedWrite, type SendOutcome } from './queue.ts';
import { httpSender, outcomeOfError } from './send.ts';

const write = (n: number, kind: NewQueuedWrite['kind'] = 'sale'): NewQueuedWrite => ({
  kind,
  method: 'POST',
  path: kind === 'sale' ? '/api/v1/sales' : '/api/v1/receipts',
  body: { n, occurred_at: new Date(Date.UTC(2026, 0, 1, 10, n)).toISOString() },
  idempotencyKey: `key-${n}`,
  occurredAt: new Date(Date.UTC(2026, 0, 1, 10, n)).toISOString(),
  summary: `write ${n}`,
});

/** A server that records what it posted, once per key, as the real one does with Idempotency-Key. */
function fakeServer() {
  const posted = new Map<string, unknown>();
  const order: number[] = [];
  const post = async (_path: string, body: unknown, key: string) => {
    if (!posted.has(key)) {
      posted.set(key, { number: posted.size + 1 });
      order.push((body as { n: number }).n);
    }
    return posted.get(key);
  };
  return { posted, order, post };
}

const problem = (status: number, code = 'x') => new ApiError(toProblem(status, status === 0 ? null : { status, code, detail: `refused ${code}` }));

describe('offline queue', () => {
  it('replays in the order the writes were made and posts each once, even when replayed again', async () => {
    const queue = new OfflineQueue(new MemoryQueueStore());
    for (const n of [1, 2, 3, 4, 5]) await queue.enqueue(write(n));
    await queue.enqueue(write(6, 'receipt'));
    const server = fakeServer();
    const report = await queue.replay(httpSender(server.post));
    expect(report.posted.map((p) => p.entry.idempotencyKey)).toEqual(['key-1', 'key-2', 'key-3', 'key-4', 'key-5', 'key-6']);
    expect(server.order).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await queue.list()).toEqual([]);
    expect((await queue.replay(httpSender(server.post))).posted).toEqual([]);
    expect(server.posted.size).toBe(6);
  });

  it('stops at a dropped connection with the rest still queued in order, and finishes on the next replay', async () => {
    const queue = new OfflineQueue(new MemoryQueueStore());
    for (const n of [1, 2, 3]) await queue.enqueue(write(n));
    const server = fakeServer();
    let online = true;
    let answerLost = false;
    const send = httpSender(async (path, body, key) => {
      if (!online) throw problem(0);
      const result = await server.post(path, body, key);
      // The answer to the second write is lost on the way back: it posted, the till does not know.
      if ((body as { n: number }).n === 2 && !answerLost) {
        answerLost = true;
        online = false;
        throw problem(0);
      }
      return result;
    });
    const first = await queue.replay(send);
    expect(first).toMatchObject({ stoppedBy: 'offline', waiting: 2 });
    expect((await queue.list()).map((e) => [e.idempotencyKey, e.attempts])).toEqual([
      ['key-2', 1],
      ['key-3', 0],
    ]);
    online = true;
    const second = await queue.replay(send);
    expect(second.posted.map((p) => p.entry.idempotencyKey)).toEqual(['key-2', 'key-3']);
    expect(server.order).toEqual([1, 2, 3]);
    expect(server.posted.size).toBe(3);
  });

  it('holds a write the server refuses for a person, sends the ones after it, and retries it under the same key', async () => {
    const queue = new OfflineQueue(new MemoryQueueStore());
    for (const n of [1, 2, 3]) await queue.enqueue(write(n));
    const server = fakeServer();
    let refuse = true;
    const send = httpSender(async (path, body, key) => {
      if ([2, 4].includes((body as { n: number }).n) && refuse) throw problem(422, 'occurred_at_too_old');
      return server.post(path, body, key);
    });
    const report = await queue.replay(send);
    expect(report.held).toMatchObject([{ idempotencyKey: 'key-2', state: 'held', problem: { code: 'occurred_at_too_old' } }]);
    expect(server.order).toEqual([1, 3]);
    // A held write is not sent again by itself.
    expect((await queue.replay(send)).posted).toEqual([]);
    refuse = false;
    await queue.retry(2);
    expect((await queue.replay(send)).posted.map((p) => p.entry.idempotencyKey)).toEqual(['key-2']);
    await queue.enqueue(write(4));
    refuse = true;
    await queue.replay(send);
    await queue.discard((await queue.list()).find((e) => e.idempotencyKey === 'key-4')!.seq);
    expect(await queue.list()).toEqual([]);
  });

  it('waits for a sign-in when the session has ended, keeping every write', async () => {
    const queue = new OfflineQueue(new MemoryQueueStore());
    for (const n of [1, 2]) await queue.enqueue(write(n));
    const server = fakeServer();
    let signedIn = false;
    const send = httpSender(async (path, body, key) => {
      if (!signedIn) throw problem(401, 'unauthenticated');
      return server.post(path, body, key);
    });
    expect(await queue.replay(send)).toMatchObject({ stoppedBy: 'signed_out', waiting: 2, posted: [] });
    signedIn = true;
    expect((await queue.replay(send)).posted).toHaveLength(2);
  });

  it('runs one replay at a time: a second call joins the first instead of sending twice', async () => {
    const queue = new OfflineQueue(new MemoryQueueStore());
    for (const n of [1, 2, 3]) await queue.enqueue(write(n));
    let calls = 0;
    const send = async (_entry: QueuedWrite): Promise<SendOutcome> => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 5));
      return { kind: 'posted', response: null };
    };
    const [a, b] = await Promise.all([queue.replay(send), queue.replay(send)]);
    expect(a).toBe(b);
    expect(calls).toBe(3);
  });

  it('refuses to grow past its bound', async () => {
    const store = new MemoryQueueStore();
    const queue = new OfflineQueue(store);
    for (let n = 0; n < QUEUE_MAX; n++) await store.add({ ...write(n), state: 'waiting', problem: null, attempts: 0 });
    await expect(queue.enqueue(write(QUEUE_MAX))).rejects.toThrow(/holds 5000/);
  });

  it('reads a server’s answer as the queue needs it', () => {
    expect(outcomeOfError(problem(0))).toEqual({ kind: 'offline' });
    expect(outcomeOfError(new TypeError('Failed to fetch'))).toEqual({ kind: 'offline' });
    expect(outcomeOfError(problem(401, 'unauthenticated'))).toEqual({ kind: 'signed_out' });
    expect(outcomeOfError(problem(503, 'database_busy'))).toEqual({ kind: 'busy' });
    expect(outcomeOfError(problem(429, 'rate_limited'))).toEqual({ kind: 'busy' });
    expect(outcomeOfError(problem(409, 'conflict'))).toEqual({ kind: 'busy' });
    expect(outcomeOfError(problem(422, 'idempotency_key_reused'))).toEqual({ kind: 'posted', response: { already_posted: true } });
    expect(outcomeOfError(problem(422, 'sale_line_invalid'))).toEqual({ kind: 'rejected', code: 'sale_line_invalid', detail: 'refused sale_line_invalid' });
  });
});
