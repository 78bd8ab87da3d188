/** analytics's own BullMQ queue: periodic upkeep (job schedulers), processed by one thin processor. */
export const MAINTENANCE_QUEUE = 'analytics-maintenance';

/** Hourly from raw, daily from hourly, monthly from daily (ANALYTICS_ROLLUP_EVERY_MS). */
export const ROLLUP_JOB = 'rollup';
/** Partitions ahead, retention (ANALYTICS_MAINTENANCE_EVERY_MS). */
export const RETENTION_JOB = 'retention';
