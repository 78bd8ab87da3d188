import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { systemScope } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import { type Job } from 'bullmq';

import { type AnalyticsConfig } from '../config/analytics.config';
import { ReportCache } from '../reports/report-cache';
import { RetentionSystem } from '../rollups/retention.system';
import { RollupsSystem } from '../rollups/rollups.system';
import { MAINTENANCE_QUEUE, RETENTION_JOB, ROLLUP_JOB } from './queues';

const SYSTEM = systemScope('analytics upkeep: rollups, partitions and retention for every org');

/** Dispatches the periodic jobs (one run at a time, whatever the number of replicas). */
@Processor(MAINTENANCE_QUEUE)
export class MaintenanceProcessor extends WorkerHost {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: AnalyticsConfig,
    private readonly rollups: RollupsSystem,
    private readonly retention: RetentionSystem,
    private readonly cache: ReportCache,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    if (job.name === ROLLUP_JOB) {
      const result = await this.rollups.run(SYSTEM);
      await this.cache.invalidate(result.orgs);
      if (result.hour || result.day || result.month)
        this.logger.log(`rollup: ${result.hour} hours, ${result.day} days, ${result.month} months`);
      return { ...result, orgs: result.orgs.length };
    }
    if (job.name === RETENTION_JOB) {
      const result = await this.retention.run(SYSTEM, this.config.ANALYTICS_PARTITIONS_AHEAD_DAYS);
      if (result.partitionsDropped.length || result.hourlyDeleted || result.dailyDeleted)
        this.logger.log(`retention: ${JSON.stringify(result)}`);
      return result;
    }
    return {};
  }
}
