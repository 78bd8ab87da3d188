import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { EventQueues, type TargetType } from '@smartbeak/contracts';
import { eventConsumerHost, jobSchedules, serviceQueues, ServiceRuntimeModule } from '@smartbeak/runtime';
import { outboundPolicyOf, smtpTransport } from '@smartbeak/outbound';
import { CredentialVault } from '@smartbeak/persistence';

import { httpWith, type PublishingAdapter } from './adapters/adapter';
import { EmailAdapter } from './adapters/email.adapter';
import { LinkedInAdapter } from './adapters/linkedin.adapter';
import { WordPressAdapter } from './adapters/wordpress.adapter';
import { type PublishingConfig, SERVICE_NAME } from './config/publishing.config';

import { publishingDatabaseOptions } from './database/schema';
import { ContentEventHandlers } from './events/content-events';
import { DeadLettersHandler } from './dead-letters/dead-letters.handler';
import { DeadLettersRepository } from './dead-letters/dead-letters.repository';
import { DeadLettersService } from './dead-letters/dead-letters.service';
import { JobCreation } from './jobs/job-creation.service';
import { JobOperations } from './jobs/job-operations.service';
import { JobRunsSystem } from './jobs/job-runs.system';
import { JobsHandler } from './jobs/jobs.handler';
import { JobsRepository } from './jobs/jobs.repository';
import { JobsSystem } from './jobs/jobs.system';
import { Sweeper } from './jobs/sweeper.service';
import { ADAPTERS, CREDENTIAL_VAULT } from './publishing.tokens';
import { JobQueue } from './queues/job-queue';
import { MaintenanceProcessor } from './queues/maintenance.processor';
import { PublishWorker } from './queues/publish.worker';
import { MAINTENANCE_QUEUE, PUBLISHING_QUEUE, SWEEP_JOB } from './queues/queues';

import { TargetsHandler } from './targets/targets.handler';
import { TargetsRepository } from './targets/targets.repository';
import { TargetsService } from './targets/targets.service';
import { Publisher } from './worker/publisher';

/** `api`: RPC handlers, the content-event consumer, the sweeper. `worker`: runs jobs. */
export type PublishingRole = 'api' | 'worker';

function adapters(config: PublishingConfig): Record<TargetType, PublishingAdapter> {
  const http = httpWith(outboundPolicyOf(config));
  return {
    wordpress: new WordPressAdapter(http),
    linkedin: new LinkedInAdapter(http, config.LINKEDIN_API_URL, config.LINKEDIN_VERSION),
    email: new EmailAdapter(
      config.SMTP_URL ? smtpTransport(config.SMTP_URL) : null,
      config.EMAIL_PLATFORM_SENDER,
    ),
  };
}

@Module({})
export class AppModule {
  static register(config: PublishingConfig, role: PublishingRole = 'api'): DynamicModule {
    const shared: Provider[] = [
      { provide: CREDENTIAL_VAULT, useValue: new CredentialVault(config.PUBLISHING_ENCRYPTION_KEYS) },
      { provide: ADAPTERS, useValue: adapters(config) },
      TargetsRepository,
      JobsRepository,
      JobQueue,
    ];
    const api: Provider[] = [
      TargetsService,
      DeadLettersRepository,
      JobsSystem,
      JobCreation,
      JobOperations,
      DeadLettersService,
      Sweeper,
    ];
    return {
      module: AppModule,
      imports: [
        ...serviceQueues(config, [PUBLISHING_QUEUE, MAINTENANCE_QUEUE]),
        ServiceRuntimeModule.register({
          service: SERVICE_NAME,
          config,
          database: publishingDatabaseOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
        }),
      ],
      controllers: role === 'api' ? [TargetsHandler, JobsHandler, DeadLettersHandler] : [],
      providers:
        role === 'api'
          ? [
              ...shared,
              ...api,
              ContentEventHandlers,
              eventConsumerHost(EventQueues.publishing, SERVICE_NAME, ContentEventHandlers),
              MaintenanceProcessor,
              jobSchedules(MAINTENANCE_QUEUE, [
                { name: SWEEP_JOB, everyMs: config.PUBLISHING_SWEEP_EVERY_MS },
              ]),
            ]
          : [...shared, JobRunsSystem, Publisher, PublishWorker],
    };
  }
}
