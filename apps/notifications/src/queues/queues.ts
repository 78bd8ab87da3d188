import { type OutboundChannel } from '@smartbeak/contracts';

/** notifications' own BullMQ queues: periodic upkeep, one per outbound channel, and on-call pages. */
export const MAINTENANCE_QUEUE = 'notifications-maintenance';
export const SWEEP_JOB = 'sweep';

export const CHANNEL_QUEUES: Record<OutboundChannel, string> = {
  email: 'notifications-email',
  sms: 'notifications-sms',
  push: 'notifications-push',
};
export const OPERATOR_QUEUE = 'notifications-operator';

/** Job names on the channel queues. */
export const SEND_JOB = 'send';
export const DIGEST_JOB = 'digest';
export const PAGE_JOB = 'page';

/** Finished jobs are kept briefly (the deliveries table is the record). */
export const JOB_RETENTION = {
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
};
