import {
  API_USAGE_METERED,
  type ApiUsageMeteredPayload,
  type EventEnvelope,
  Events,
  type MetricName,
} from '@smartbeak/contracts';

/** One row of `events_raw`: what one event adds to one metric. */
export interface RawRow {
  eventId: string;
  occurredAt: Date;
  orgId: string;
  domainId: string | null;
  metric: MetricName;
  dimension: string;
  value: number;
}

/** The event types analytics reads (its routes in EVENT_ROUTES). */
export const METERED_EVENTS = [
  Events.content.created,
  Events.content.updated,
  Events.content.published,
  Events.publishing.jobCompleted,
  Events.publishing.jobFailed,
  Events.publishing.jobRetrying,
  Events.media.assetReady,
  Events.media.assetDeleted,
  Events.notifications.deliveryDispatched,
  API_USAGE_METERED,
] as const;

const CONTENT_METRIC: Partial<Record<string, MetricName>> = {
  [Events.content.created]: 'content.created',
  [Events.content.updated]: 'content.updated',
  [Events.content.published]: 'content.published',
};

const DIMENSION = /^[a-z0-9._-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/**
 * The rows an event adds (docs/analytics.md § Metrics); none for an event
 * that counts nothing, or whose payload is not what its producer sends.
 * Pure: the same event always gives the same rows.
 */
export function rowsOf(event: EventEnvelope): RawRow[] {
  // The envelope is signed by its producer, but a row the table would refuse must not fail its batch.
  if (typeof event.orgId !== 'string' || !event.orgId || event.orgId.length > 100) return [];
  if (!UUID.test(event.id) || (event.domainId != null && !UUID.test(String(event.domainId)))) return [];
  const occurredAt = new Date(event.occurredAt);
  if (Number.isNaN(occurredAt.getTime())) return [];
  const base = { eventId: event.id, occurredAt, orgId: event.orgId, domainId: event.domainId ?? null };
  const row = (metric: MetricName, value: number, dimension = ''): RawRow => ({
    ...base,
    metric,
    dimension,
    value,
  });

  const contentMetric = CONTENT_METRIC[event.type];
  if (contentMetric) return [row(contentMetric, 1)];

  switch (event.type) {
    case Events.publishing.jobCompleted:
    case Events.publishing.jobFailed:
    case Events.publishing.jobRetrying:
      return publishingRows(event, row);
    case Events.media.assetReady: {
      const size = count(event.payload.size);
      return size === null ? [] : [row('media.uploads', 1), row('media.bytes_uploaded', size)];
    }
    case Events.media.assetDeleted: {
      const size = count(event.payload.size);
      return size ? [row('media.bytes_deleted', size)] : [];
    }
    case Events.notifications.deliveryDispatched: {
      const channel = event.payload.channel;
      const messages = count(event.payload.messages);
      return typeof channel === 'string' && DIMENSION.test(channel) && messages
        ? [row('notifications.sent', messages, channel)]
        : [];
    }
    case API_USAGE_METERED: {
      const { counts } = event.payload as unknown as ApiUsageMeteredPayload;
      if (!Array.isArray(counts)) return [];
      return counts.flatMap(({ routeClass, requests }) =>
        typeof routeClass === 'string' && DIMENSION.test(routeClass) && count(requests)
          ? [row('api.requests', requests, routeClass)]
          : [],
      );
    }
    default:
      return [];
  }
}

/**
 * A publishing run's settle event lists the targets it tried, each with its
 * type and outcome; the same event types from elsewhere (a cancel, the
 * sweeper, a user settling an unconfirmed target) list targets without a
 * type: nothing was tried, nothing is counted.
 */
function publishingRows(
  event: EventEnvelope,
  row: (metric: MetricName, value: number, dimension?: string) => RawRow,
): RawRow[] {
  const targets = event.payload.targets;
  if (!Array.isArray(targets)) return [];
  const tally = new Map<string, { attempts: number; successes: number }>();
  for (const target of targets as { type?: unknown; state?: unknown }[]) {
    if (typeof target?.type !== 'string' || !DIMENSION.test(target.type)) continue;
    const figures = tally.get(target.type) ?? { attempts: 0, successes: 0 };
    figures.attempts += 1;
    if (target.state === 'succeeded') figures.successes += 1;
    tally.set(target.type, figures);
  }
  return [...tally].flatMap(([type, { attempts, successes }]) => [
    row('publishing.attempts', attempts, type),
    ...(successes ? [row('publishing.successes', successes, type)] : []),
    ...(attempts > successes ? [row('publishing.failures', attempts - successes, type)] : []),
  ]);
}
