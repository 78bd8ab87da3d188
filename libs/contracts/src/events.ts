/** Domain event names: `<service>.<aggregate>.<past-tense-verb>`. */
export const Events = {
  controlPlane: {
    domainCreated: 'control-plane.domain.created',
    orgUpserted: 'control-plane.org.upserted',
    orgDeleted: 'control-plane.org.deleted',
  },
  media: {
    assetReady: 'media.asset.ready',
    assetDeleted: 'media.asset.deleted',
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
 * Who hears what. The outbox relay of the producing service delivers each
 * event to every queue listed here. An event with no entry is stored and
 * marked relayed without being delivered anywhere.
 */
export const EVENT_ROUTES: Partial<Record<EventName, readonly EventQueue[]>> = {
  [Events.controlPlane.domainCreated]: [EventQueues.analytics],
  [Events.controlPlane.orgDeleted]: [],
  [Events.media.assetReady]: [EventQueues.analytics],
  [Events.media.assetDeleted]: [],
};

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
}
