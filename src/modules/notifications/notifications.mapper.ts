import type { DeliveryTable, WebhookSubscriptionTable } from '../../platform/db/schema.ts';
import type { DeliveryRecord, DestinationSummary } from './deliveries.service.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export function toSubscriptionJson(row: WebhookSubscriptionTable, now: number) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    event_types: JSON.parse(row.event_types) as string[],
    active: row.active === 1,
    rotating_until: row.previous_expires_at !== null && row.previous_expires_at > now ? iso(row.previous_expires_at) : null,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

function summaryOf(row: DeliveryTable): string {
  const payload = JSON.parse(row.payload) as { subject?: string; body?: string; type?: string };
  if (row.channel === 'email') return payload.subject ?? '';
  if (row.channel === 'sms') return (payload.body ?? '').slice(0, 80);
  return payload.type ?? row.event_type;
}

export function toDeliveryJson(row: DeliveryTable) {
  return {
    id: row.id,
    channel: row.channel,
    destination: row.destination,
    event_id: row.event_id,
    event_type: row.event_type,
    ordering_key: row.ordering_key,
    status: row.status as 'pending' | 'sending' | 'delivered' | 'dead',
    attempts: row.attempts,
    next_attempt_at: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    created_at: iso(row.created_at),
    delivered_at: row.delivered_at === null ? null : iso(row.delivered_at),
    last_error: row.last_error,
    provider_ref: row.provider_ref,
    summary: summaryOf(row),
  };
}

export function toDeliveryDetailJson(record: DeliveryRecord) {
  return {
    ...toDeliveryJson(record.delivery),
    paused: record.paused,
    payload: JSON.parse(record.delivery.payload) as Record<string, unknown>,
    log: record.attempts.map((a) => ({
      attempt: a.attempt,
      worker: a.worker,
      started_at: iso(a.started_at),
      latency_ms: a.latency_ms,
      outcome: a.outcome as 'delivered' | 'retry' | 'dead',
      status_code: a.status_code,
      response_excerpt: a.response_excerpt,
      error: a.error,
    })),
  };
}

export function toDestinationJson(d: DestinationSummary) {
  return {
    destination: d.destination,
    channel: d.channel,
    pending: d.pending,
    dead: d.dead,
    delivered: d.delivered,
    paused: d.paused !== null,
    paused_at: d.paused ? iso(d.paused.paused_at) : null,
    pause_reason: d.paused?.reason ?? null,
  };
}
