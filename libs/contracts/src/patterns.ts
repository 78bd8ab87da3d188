import { type Permission } from './request-context';

/**
 * RPC message patterns: `<service>.<aggregate>.<verb>`. The first segment
 * names the service whose queue carries the request.
 */
export const Patterns = {
  controlPlane: {
    me: 'control-plane.me.get',
    domainCreate: 'control-plane.domain.create',
    domainList: 'control-plane.domain.list',
    domainGet: 'control-plane.domain.get',
    /** Suspend or resume a domain (org admins): a suspended domain takes no work. */
    domainSetStatus: 'control-plane.domain.set-status',
    /** "Does domain D belong to org O?" — asked by every other service. */
    domainCheck: 'control-plane.domain.check',
    auditList: 'control-plane.audit.list',
    auditRecord: 'control-plane.audit.record',
    clerkWebhook: 'control-plane.clerk.apply',
    /** The org's members who may receive a notification (by id and/or permission). */
    memberRecipients: 'control-plane.member.recipients',
  },
  content: {
    create: 'content.item.create',
    update: 'content.item.update',
    get: 'content.item.get',
    /** Several items by id, those of the caller's org (publishing's batch). */
    getMany: 'content.item.get-many',
    list: 'content.item.list',
    transition: 'content.item.transition',
    delete: 'content.item.delete',
    restore: 'content.item.restore',
    events: 'content.item.events',
    lockAcquire: 'content.lock.acquire',
    lockRelease: 'content.lock.release',
    revisionList: 'content.revision.list',
    revisionGet: 'content.revision.get',
    revisionDiff: 'content.revision.diff',
    revisionRestore: 'content.revision.restore',
  },
  publishing: {
    targetCreate: 'publishing.target.create',
    targetList: 'publishing.target.list',
    targetTest: 'publishing.target.test',
    jobCreate: 'publishing.job.create',
    jobCreateBatch: 'publishing.job.create-batch',
    jobGet: 'publishing.job.get',
    jobList: 'publishing.job.list',
    jobRetry: 'publishing.job.retry',
    jobResolveTarget: 'publishing.job.resolve-target',
    deadLetterList: 'publishing.dead-letter.list',
    deadLetterRedrive: 'publishing.dead-letter.redrive',
  },
  media: {
    uploadIntentCreate: 'media.upload-intent.create',
    assetComplete: 'media.asset.complete',
    assetGet: 'media.asset.get',
    assetList: 'media.asset.list',
    assetDelete: 'media.asset.delete',
    storageWebhook: 'media.storage-webhook.apply',
  },
  notifications: {
    inboxList: 'notifications.inbox.list',
    unreadCount: 'notifications.inbox.unread-count',
    markRead: 'notifications.inbox.mark-read',
    markAllRead: 'notifications.inbox.mark-all-read',
    /** New notifications after a stream position (the SSE stream's backfill). */
    streamSince: 'notifications.inbox.since',
    preferencesGet: 'notifications.preferences.get',
    preferencesUpdate: 'notifications.preferences.update',
    deviceRegister: 'notifications.device.register',
    deviceRemove: 'notifications.device.remove',
    unsubscribe: 'notifications.preferences.unsubscribe',
    twilioStatus: 'notifications.twilio.status',
    twilioInbound: 'notifications.twilio.inbound',
    deadLetterList: 'notifications.dead-letter.list',
    deadLetterRedrive: 'notifications.dead-letter.redrive',
  },
} as const;

export const SERVICES = [
  'control-plane',
  'content',
  'publishing',
  'media',
  'notifications',
  'analytics',
  'seo',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Every service answers this with `{ ok: true }`; the gateway's /api/health asks it. */
export function healthPingPattern(service: string): string {
  return `${service}.health.ping`;
}

/** The gateway's name as a signer of messages (services sign as their own name). */
export const GATEWAY_NAME = 'api-gateway';

export interface ServiceCallGrant {
  /** Signers allowed to make this call with no user behind it. */
  callers: readonly string[];
  /** What the receiver lets such a call do. */
  permissions: readonly Permission[];
  /** Only as a service call: a user context, even the gateway's, is refused (webhooks, probes). */
  serviceOnly?: true;
}

/**
 * The RPCs a process may make on its own behalf (a scheduled publish, a
 * webhook, a health probe), and what each may do. Every other RPC needs a
 * user context minted and signed by the gateway; a receiver refuses a
 * service call that is not listed here for its sender.
 */
const SERVICE_CALLS: Partial<Record<string, ServiceCallGrant>> = {
  [Patterns.controlPlane.domainCheck]: { callers: SERVICES, permissions: [] },
  [Patterns.controlPlane.clerkWebhook]: { callers: [GATEWAY_NAME], permissions: [], serviceOnly: true },
  [Patterns.media.storageWebhook]: { callers: [GATEWAY_NAME], permissions: [], serviceOnly: true },
  [Patterns.content.get]: { callers: ['publishing', 'notifications'], permissions: ['content:read'] },
  [Patterns.content.getMany]: { callers: ['publishing'], permissions: ['content:read'] },
  [Patterns.media.assetGet]: { callers: ['publishing'], permissions: ['content:read'] },
  // Notifications decides recipients from memberships, and titles from the item.
  [Patterns.controlPlane.memberRecipients]: {
    callers: ['notifications'],
    permissions: [],
    serviceOnly: true,
  },
  // Signed links and provider webhooks: no session behind them; notifications checks their own signatures.
  [Patterns.notifications.unsubscribe]: { callers: [GATEWAY_NAME], permissions: [], serviceOnly: true },
  [Patterns.notifications.twilioStatus]: { callers: [GATEWAY_NAME], permissions: [], serviceOnly: true },
  [Patterns.notifications.twilioInbound]: { callers: [GATEWAY_NAME], permissions: [], serviceOnly: true },
};

const HEALTH_PING: ServiceCallGrant = { callers: [GATEWAY_NAME], permissions: [], serviceOnly: true };

export function serviceCallGrant(pattern: string): ServiceCallGrant | undefined {
  if (pattern === healthPingPattern(serviceOfPattern(pattern))) return HEALTH_PING;
  return SERVICE_CALLS[pattern];
}

export function serviceOfPattern(pattern: string): string {
  const dot = pattern.indexOf('.');
  return dot === -1 ? pattern : pattern.slice(0, dot);
}
