import { type ContentStatus } from '@smartbeak/contracts';

/**
 * One content item as the read model holds it (a `content_items` row).
 * Dates are ISO strings at millisecond precision, as the columns keep them.
 */
export interface ItemState {
  id: string;
  orgId: string;
  domainId: string;
  title: string;
  slug: string;
  body: string;
  excerpt: string;
  tags: string[];
  status: ContentStatus;
  version: number;
  scheduledFor: string | null;
  publishedAt: string | null;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  coldAt: string | null;
}

/** The part of the state an event may set. */
export type ItemChanges = Partial<
  Pick<
    ItemState,
    | 'title'
    | 'slug'
    | 'body'
    | 'excerpt'
    | 'tags'
    | 'status'
    | 'scheduledFor'
    | 'publishedAt'
    | 'deletedAt'
    | 'coldAt'
  >
>;

/** What every stored event's payload carries; the projection reads nothing else. */
export interface ItemEventPayload {
  actor: string;
  changes: ItemChanges;
  [extra: string]: unknown;
}

export interface StoredItemEvent {
  aggregateId: string;
  orgId: string;
  domainId: string;
  type: string;
  version: number;
  occurredAt: string;
  payload: ItemEventPayload;
}

export const CREATED = 'content.item.created';

/**
 * The read model's one rule, used by every write and by the rebuild alike:
 * the state after an event is the state before it, with the event's changes,
 * its version, its time and its actor.
 */
export function project(state: ItemState | null, event: StoredItemEvent): ItemState {
  const { actor, changes } = event.payload;
  if (!state) {
    if (event.type !== CREATED) {
      throw new Error(
        `Event ${event.type} v${event.version} of ${event.aggregateId} has no created event before it`,
      );
    }
    state = {
      id: event.aggregateId,
      orgId: event.orgId,
      domainId: event.domainId,
      title: '',
      slug: '',
      body: '',
      excerpt: '',
      tags: [],
      status: 'draft',
      version: 0,
      scheduledFor: null,
      publishedAt: null,
      createdBy: actor,
      updatedBy: actor,
      createdAt: event.occurredAt,
      updatedAt: event.occurredAt,
      deletedAt: null,
      coldAt: null,
    };
  } else if (event.version !== state.version + 1) {
    throw new Error(`Event v${event.version} of ${event.aggregateId} does not follow v${state.version}`);
  }
  return {
    ...state,
    ...changes,
    version: event.version,
    updatedBy: actor,
    updatedAt: event.occurredAt,
  };
}
