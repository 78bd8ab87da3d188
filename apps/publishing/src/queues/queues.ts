/** The BullMQ queue jobs run on; workers of any number of replicas take from it. */
export const PUBLISHING_QUEUE = 'publishing';
/** Repeatable: finds jobs that should be running and are not. */
export const MAINTENANCE_QUEUE = 'publishing-maintenance';
export const SWEEP_JOB = 'sweep';

/** The BullMQ id of a job's n-th run (a retry or redrive is a new run). */
export function queueJobId(jobId: string, run: number): string {
  return `${jobId}-${run}`;
}
