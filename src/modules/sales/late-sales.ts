import type { Trx } from '../../platform/db/transaction.ts';

/**
 * A sale recorded after the moment it happened (a till that was offline sends `occurred_at`).
 * Its id and dates carry that moment, so whatever keeps figures by the day a sale happened (the
 * reports' closed-day totals) cannot see it arrive by looking for new ids: it is told, in the
 * sale's own transaction.
 */
type LateSaleListener = (trx: Trx, occurredAt: number, recordedAt: number) => Promise<void>;

const listeners: LateSaleListener[] = [];

export function onLateSaleRecorded(listener: LateSaleListener): void {
  listeners.push(listener);
}

export async function notifyLateSale(trx: Trx, occurredAt: number, recordedAt: number): Promise<void> {
  for (const listener of listeners) await listener(trx, occurredAt, recordedAt);
}
