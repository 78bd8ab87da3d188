/** Domain event names: `<service>.<aggregate>.<past-tense-verb>`. */
export const Events = {
  controlPlane: {
    domainCreated: 'control-plane.domain.created',
    domainSuspended: 'control-plane.domain.suspended',
    domainResumed: 'control-plane.domain.resumed',
    orgUpserted: 'control-plane.org.upserted',
    orgDeleted: 'control-plane.org.deleted',
  },
  content: {
    created: 'content.item.created',
    updated: 'content.item.updated',
    submitted: 'content.item.submitted',
    /** Back to draft: from review (returned), scheduled (unscheduled) or archived (reopened). */
    drafted: 'content.item.drafted',
    scheduled: 'content.item.scheduled',
    published: 'content.item.published',
    archived: 'content.item.archived',
    deleted: 'content.item.deleted',
    /** A soft delete undone. */
    restored: 'content.item.restored',
    /** An old revision restored as a new version. */
    reverted: 'content.item.reverted',
    /** Archived for over a year: moved to cold storage. */
    coldStored: 'content.item.cold-stored',
    /** Gone for good (30 days after a delete), its events and revisions with it. */
    purged: 'content.item.purged',
    /** An admin broke another user's edit lock. */
    lockRevoked: 'content.item.lock-revoked',
  },
  publishing: {
    jobQueued: 'publishing.job.queued',
    jobStarted: 'publishing.job.started',
    jobRetrying: 'publishing.job.retry-scheduled',
    jobCompleted: 'publishing.job.completed',
    jobFailed: 'publishing.job.failed',
    jobDeadLettered: 'publishing.job.dead-lettered',
    /** A target's outcome is unknown and cannot be checked: the user decides. */
    targetUnconfirmed: 'publishing.target.unconfirmed',
  },
  notifications: {
    /** A message handed to a provider (one per digest email): analytics' notifications.sent. */
    deliveryDispatched: 'notifications.delivery.dispatched',
  },
  gateway: {
    /** The gateway's usage meter: API requests per org, domain and route class since its last flush. */
    usageMetered: 'api-gateway.usage.metered',
  },
  seo: {
    /** A keyword's average position worse by more than the threshold, week over week. */
    keywordDropped: 'seo.keyword.dropped',
    keywordEnteredTop10: 'seo.keyword.top-ten-reached',
    keywordLeftTop10: 'seo.keyword.top-ten-exited',
    /** Another page now ranks for the keyword (a cannibalisation hint). */
    keywordUrlChanged: 'seo.keyword.url-changed',
    /** A page's clicks fell week over week. */
    pageClicksDropped: 'seo.page.clicks-dropped',
    /** A scheduled or manual ingestion gave up (credentials, quota, budget, provider errors). */
    ingestionFailed: 'seo.ingestion.failed',
  },
  media: {
    assetReady: 'media.asset.ready',
    assetDeleted: 'media.asset.deleted',
    /** An upload failed its checks (wrong size or type): the file was deleted. */
    assetRejected: 'media.asset.rejected',
  },
} as const;

type Leaves<T> = T extends string ? T : { [K in keyof T]: Leaves<T[K]> }[keyof T];
export type EventName = Leaves<typeof Events>;

/** One consumer queue per service: `<service>-events`. */
export const EventQueues = {
  controlPlane: 'control-plane-events',
  content: 'content-events',
  publishing: 'publishing-events',
  notifications: 'notifications-events',
  analytics: 'analytics-events',
  seo: 'seo-events',
} as const;
export type EventQueue = (typeof EventQueues)[keyof typeof EventQueues];

/**
 * The event queues a running service consumes (its `eventConsumerHost`).
 * Routes go only to these: a queue nobody drains grows Redis until it dies.
 */
export const CONSUMED_EVENT_QUEUES: readonly EventQueue[] = [
  EventQueues.controlPlane,
  EventQueues.publishing,
  EventQueues.notifications,
  EventQueues.analytics,
  EventQueues.seo,
];

/**
 * Queues that take a relay's events as one job per relay batch, under one
 * seal (`EventBatch`): a consumer that counts many small events (analytics)
 * would otherwise spend most of its time on one job and one signature
 * check per event. Their consumer must dedupe by event id itself (BullMQ's
 * job id is the batch's).
 */
export const BATCHED_EVENT_QUEUES: readonly EventQueue[] = [EventQueues.analytics];

/** Content's item events feed publishing (scheduled posts). */
const CONTENT_CONSUMERS: readonly EventQueue[] = [EventQueues.publishing];
/** What analytics counts (its meter: apps/analytics/src/ingest/meter.ts). */
const METER: readonly EventQueue[] = [EventQueues.analytics];
/** What notifications turns into messages (NOTIFICATION_TYPES). */
const NOTIFY: readonly EventQueue[] = [EventQueues.notifications];

/**
 * Who hears what. The outbox relay of the producing service delivers each
 * event to every queue listed here, and only to queues that have a consumer
 * (a service adds its queue here when it starts consuming). An event with no
 * entry is stored and marked relayed without being delivered anywhere.
 */
export const EVENT_ROUTES: Partial<Record<EventName, readonly EventQueue[]>> = {
  [Events.controlPlane.domainCreated]: [],
  // SEO pauses a suspended domain's sources (and a deleted org's) and resumes them.
  [Events.controlPlane.domainSuspended]: [EventQueues.seo],
  [Events.controlPlane.domainResumed]: [EventQueues.seo],
  [Events.controlPlane.orgDeleted]: [EventQueues.seo],
  ...Object.fromEntries(
    [
      Events.content.drafted,
      Events.content.scheduled,
      Events.content.archived,
      Events.content.deleted,
      Events.content.restored,
    ].map((type) => [type, CONTENT_CONSUMERS]),
  ),
  [Events.content.created]: [...CONTENT_CONSUMERS, ...METER],
  [Events.content.updated]: [...CONTENT_CONSUMERS, ...METER],
  [Events.content.submitted]: [...CONTENT_CONSUMERS, ...NOTIFY],
  [Events.content.published]: [...CONTENT_CONSUMERS, ...NOTIFY, ...METER],
  // Restores of old revisions and lock breaks reach the audit log (control-plane).
  [Events.content.reverted]: [...CONTENT_CONSUMERS, EventQueues.controlPlane],
  [Events.content.lockRevoked]: [EventQueues.controlPlane, ...NOTIFY],
  [Events.content.coldStored]: [],
  [Events.content.purged]: [EventQueues.publishing],
  [Events.publishing.jobQueued]: [],
  [Events.publishing.jobStarted]: [],
  [Events.publishing.jobRetrying]: METER,
  [Events.publishing.jobCompleted]: [...NOTIFY, ...METER],
  [Events.publishing.jobFailed]: [...NOTIFY, ...METER],
  [Events.publishing.jobDeadLettered]: NOTIFY,
  [Events.publishing.targetUnconfirmed]: NOTIFY,
  [Events.media.assetReady]: METER,
  [Events.media.assetDeleted]: METER,
  [Events.notifications.deliveryDispatched]: METER,
  // Not relayed: the gateway adds its meter's events straight to analytics' queue.
  [Events.gateway.usageMetered]: METER,
  [Events.media.assetRejected]: NOTIFY,
  ...Object.fromEntries(Object.values(Events.seo).map((type) => [type, NOTIFY])),
};

/**
 * Live signals: after relaying an event, the producer's relay publishes its
 * aggregate id on this Redis channel, where the gateway's live streams
 * listen (`GET /api/publishing/jobs/stream`). A signal carries only an id;
 * the stream's reader asks the owning service for the rest.
 */
export function liveChannelOf(prefix: string, type: string, orgId: string | null): string | null {
  if (!orgId) return null;
  if (type.startsWith('publishing.job.') || type.startsWith('publishing.target.')) {
    return `${prefix}:live:jobs:${orgId}`;
  }
  return null;
}

/**
 * Where control-plane's relay says an org's domains or the org itself
 * changed, with the org id as the message (the gateway drops what it keeps
 * of the org's control-plane reads). One channel: a gateway subscribes once.
 */
export function controlPlaneSignalChannel(prefix: string): string {
  return `${prefix}:live:control-plane`;
}

/** The signal a relay publishes after relaying an event: channel and message, if the event has one. */
export function liveSignalOf(
  prefix: string,
  type: string,
  orgId: string | null,
  aggregateId: string,
): readonly [channel: string, message: string] | null {
  if (!orgId) return null;
  if (type.startsWith('control-plane.domain.') || type.startsWith('control-plane.org.')) {
    return [controlPlaneSignalChannel(prefix), orgId];
  }
  const channel = liveChannelOf(prefix, type, orgId);
  return channel ? [channel, aggregateId] : null;
}

/** An event's payload on the wire is at most this big: ids, versions and what changed, never bodies. */
export const MAX_EVENT_PAYLOAD_BYTES = 8_192;

/** What an event looks like on a consumer's queue. */
export interface EventEnvelope<P = Record<string, unknown>> {
  id: string;
  type: string;
  aggregateId: string;
  orgId: string | null;
  domainId: string | null;
  occurredAt: string;
  payload: P;
  /** The request that caused the event, for tracing. */
  requestId?: string | null;
  /** The aggregate's version after the event, where the producer keeps one (content). */
  version?: number;
  /** The producing service's signature (its relay signs; consumers check it names the event's owner). */
  seal?: { signer: string; kid: string; sig: string };
}
