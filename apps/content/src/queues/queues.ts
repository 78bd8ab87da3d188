/** The content service's own BullMQ queue: scheduled publishing and retention. */
export const MAINTENANCE_QUEUE = 'content-maintenance';
/** One delayed job per scheduled item, due at its `scheduledFor`. */
export const PUBLISH_DUE_JOB = 'publish-due';
/** Repeatable: publishes scheduled items whose job went missing. */
export const OVERDUE_SWEEP_JOB = 'publish-overdue';
/** Repeatable: idle drafts archived, old archives cold, old deletions purged. */
export const RETENTION_JOB = 'retention';
