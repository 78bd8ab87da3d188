/** Media's own BullMQ queue: the periodic sweep. */
export const MAINTENANCE_QUEUE = 'media-maintenance';
/** Repeatable: expires abandoned intents, removes objects of deleted assets. */
export const SWEEP_JOB = 'sweep';
