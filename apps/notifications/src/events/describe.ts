import {
  type ContentItemDto,
  type EventEnvelope,
  Events,
  type NotificationType,
  type RecipientsQueryDto,
} from '@smartbeak/contracts';

/** What a notification says, and who it is for (resolved against control-plane's memberships). */
export interface Described {
  type: NotificationType;
  /** Members by id and/or by permission; the union, never anyone outside the org. */
  audience: RecipientsQueryDto[];
  /** Never tell the person who did it. */
  exclude: string[];
  title: string;
  body: string;
  link: string | null;
  /** Page on-call too (a system-error dead letter). */
  page?: { severity: 'critical' | 'error'; summary: string };
}

const str = (value: unknown, fallback = ''): string =>
  typeof value === 'string' && value ? value : fallback;
const quoted = (title: string) => (title ? `“${title}”` : 'an item');

/**
 * The notification an event makes, or null for an event that makes none.
 * `item` is asked of content only for the types that need the item's title
 * or author (`needsItem`).
 */
export function describe(event: EventEnvelope, item: ContentItemDto | null): Described | null {
  const p = event.payload;
  const jobId = str(p['jobId'], event.aggregateId);
  const creator = str(p['createdBy']);
  const byCreator: RecipientsQueryDto[] = creator ? [{ userIds: [creator] }] : [];
  const jobLink = `/publishing/jobs/${jobId}`;
  switch (event.type) {
    case Events.publishing.jobFailed: {
      // The dead-lettered notification that follows says it (and who else must act).
      if (p['deadLettered'] === true) return null;
      const failed = (p['targets'] as { type?: string; state?: string; detail?: string }[] | undefined) ?? [];
      const reasons = failed
        .filter((t) => t.state === 'failed')
        .map((t) => `${t.type}: ${t.detail ?? 'failed'}`)
        .join('; ');
      return {
        type: Events.publishing.jobFailed,
        audience: byCreator,
        exclude: [],
        title: `Publishing failed: ${quoted(str(p['title']))}`,
        body: reasons ? `It did not go out to ${reasons}.` : 'It did not go out. Retry it from the job page.',
        link: jobLink,
      };
    }
    case Events.publishing.jobCompleted:
      return {
        type: Events.publishing.jobCompleted,
        audience: byCreator,
        exclude: [],
        title: `Published: ${quoted(str(p['title']))}`,
        body: 'Every destination confirmed the post.',
        link: jobLink,
      };
    case Events.publishing.targetUnconfirmed:
      return {
        type: Events.publishing.targetUnconfirmed,
        audience: byCreator,
        exclude: [],
        title: `Did ${quoted(str(p['title']))} go out on ${str(p['type'], 'a destination')}?`,
        body: 'The destination did not answer and cannot be asked. Check it, then mark it published or retry.',
        link: jobLink,
      };
    case Events.publishing.jobDeadLettered: {
      const errorType = str(p['errorType'], 'system');
      const message = str(p['message'], 'no detail');
      // The seed's error table: a system error is ours — on-call is paged and the creator told. A validation
      // error, or a destination that kept failing through every retry, is the org's to fix: its admins hear too.
      const system = errorType === 'system';
      return {
        type: Events.publishing.jobDeadLettered,
        audience: system ? byCreator : [...byCreator, { permission: 'org:admin' }],
        exclude: [],
        title: `Publishing gave up: ${quoted(str(p['title']))}`,
        body: system
          ? `It hit an error on our side (${message}). Our on-call engineers have been alerted.`
          : errorType === 'validation'
            ? `A destination refused it (${message}). Fix the destination or the item, then re-drive it.`
            : `A destination kept failing through every retry (${message}). Check it, then re-drive the job.`,
        link: jobLink,
        ...(system
          ? {
              page: {
                severity: 'error' as const,
                summary:
                  `Publishing job ${jobId} dead-lettered (system) in org ${event.orgId}: ${message}`.slice(
                    0,
                    1000,
                  ),
              },
            }
          : {}),
      };
    }
    case Events.content.submitted:
      return {
        type: Events.content.submitted,
        audience: [{ permission: 'content:review' }],
        exclude: [str(p['actor'])],
        title: `Review requested: ${quoted(item?.title ?? '')}`,
        body: 'An item was submitted for review.',
        link: `/content/${event.aggregateId}`,
      };
    case Events.content.published: {
      const author = item?.createdBy;
      if (!author) return null;
      return {
        type: Events.content.published,
        audience: [{ userIds: [author] }],
        exclude: [str(p['actor'])],
        title: `Now published: ${quoted(item?.title ?? '')}`,
        body: p['from'] === 'scheduled' ? 'It was published at its scheduled time.' : 'It was published.',
        link: `/content/${event.aggregateId}`,
      };
    }
    case Events.content.lockRevoked: {
      const holder = str(p['holder']);
      if (!holder) return null;
      return {
        type: Events.content.lockRevoked,
        audience: [{ userIds: [holder] }],
        exclude: [str(p['actor'])],
        title: `Your edit lock on ${quoted(str(p['title']))} was broken`,
        body: 'An admin released it; save your work again to take the lock back.',
        link: `/content/${event.aggregateId}`,
      };
    }
    case Events.media.assetRejected:
      if (!creator) return null;
      return {
        type: Events.media.assetRejected,
        audience: byCreator,
        exclude: [],
        title: `Upload rejected: ${str(p['filename'], 'a file')}`,
        body: str(p['reason'], 'The file did not pass its checks.'),
        link: `/media/${event.aggregateId}`,
      };
    default:
      return describeSeo(event);
  }
}

const SEO_READERS: RecipientsQueryDto[] = [{ permission: 'seo:read' }];
const position = (value: unknown) => (typeof value === 'number' ? value.toFixed(1) : '?');

/** SEO analysis signals and failed imports: for the org's members who read SEO (docs/seo.md § Analysis). */
function describeSeo(event: EventEnvelope): Described | null {
  const p = event.payload;
  const keyword = `“${str(p['query'], 'a keyword')}”`;
  const keywordLink = `/seo/keywords/${event.aggregateId}`;
  const seo = (title: string, body: string, link: string) =>
    ({
      type: event.type as NotificationType,
      audience: SEO_READERS,
      exclude: [],
      title,
      body,
      link,
    }) as Described;
  switch (event.type) {
    case Events.seo.keywordDropped:
      return seo(
        `Ranking drop: ${keyword}`,
        `Average position ${position(p['previousPosition'])} → ${position(p['position'])} over the 7 days to ${str(p['windowEnd'])}.`,
        keywordLink,
      );
    case Events.seo.keywordLeftTop10:
      return seo(
        `Out of the top 10: ${keyword}`,
        `Average position ${position(p['previousPosition'])} → ${position(p['position'])}.`,
        keywordLink,
      );
    case Events.seo.keywordEnteredTop10:
      return seo(
        `Into the top 10: ${keyword}`,
        `Average position ${position(p['previousPosition'])} → ${position(p['position'])}.`,
        keywordLink,
      );
    case Events.seo.keywordUrlChanged:
      return seo(
        `Another page ranks for ${keyword}`,
        `${str(p['url'])} took over from ${str(p['previousUrl'])}: check the two do not compete.`,
        keywordLink,
      );
    case Events.seo.pageClicksDropped:
      return seo(
        `Fewer search clicks: ${str(p['url'], 'a page')}`,
        `${String(p['clicks'] ?? '?')} clicks in the 7 days to ${str(p['windowEnd'])}, down from ${String(p['previousClicks'] ?? '?')}.`,
        '/seo',
      );
    case Events.seo.ingestionFailed:
      return seo(
        `SEO import failed: ${str(p['sourceName'], 'a source')}`,
        `${str(p['error'], 'The provider refused it.')} Stored history is unchanged.`,
        '/seo',
      );
    default:
      return null;
  }
}

/** Types whose notification needs the content item (its title or author). */
export function needsItem(type: string): boolean {
  return type === Events.content.submitted || type === Events.content.published;
}
