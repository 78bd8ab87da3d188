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
    /** "Does domain D belong to org O?" — asked by every other service. */
    domainCheck: 'control-plane.domain.check',
    auditList: 'control-plane.audit.list',
    auditRecord: 'control-plane.audit.record',
    clerkWebhook: 'control-plane.clerk.apply',
  },
  content: {
    create: 'content.item.create',
    update: 'content.item.update',
    get: 'content.item.get',
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

export function serviceOfPattern(pattern: string): string {
  const dot = pattern.indexOf('.');
  return dot === -1 ? pattern : pattern.slice(0, dot);
}
