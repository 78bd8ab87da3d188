/** seo's BullMQ queue: ingestion runs (one job per ingestion) and each source's daily schedule. */
export const INGESTION_QUEUE = 'seo-ingestions';

/** A run the API queued: `{ ingestionId }`, job id = the ingestion's id. */
export const RUN_JOB = 'run';
/** A source's scheduled run (a job scheduler per source): `{ sourceId }`. */
export const SCHEDULED_JOB = 'scheduled';

/** Ends lost ingestions (SEO_SWEEP_EVERY_MS; ingestions.system.ts `sweepStale`). */
export const SWEEP_JOB = 'sweep';

export const schedulerId = (sourceId: string) => `source-${sourceId}`;
