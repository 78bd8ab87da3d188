/** Control-plane's own BullMQ queue: periodic upkeep. */
export const MAINTENANCE_QUEUE = 'control-plane-maintenance';
/** Repeatable: audit entries past their category's retention are deleted, and Clerk webhook deliveries past 30 days. */
export const AUDIT_RETENTION_JOB = 'audit-retention';
