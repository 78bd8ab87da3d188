import { type DynamicModule, Module } from '@nestjs/common';
import { CredentialVault } from '@smartbeak/persistence';
import { EventQueues } from '@smartbeak/contracts';
import { eventConsumerHost, jobSchedules, serviceQueues, ServiceRuntimeModule } from '@smartbeak/runtime';

import { AnalysisSystem } from './analysis/analysis.system';
import { type SeoConfig, SERVICE_NAME } from './config/seo.config';
import { seoDatabaseOptions } from './database/schema';
import { ControlPlaneEventHandlers } from './events/control-plane-events';
import { IngestionRunner } from './ingestions/ingestion-runner';
import { IngestionsHandler } from './ingestions/ingestions.handler';
import { IngestionsRepository } from './ingestions/ingestions.repository';
import { IngestionsService } from './ingestions/ingestions.service';
import { IngestionsSystem } from './ingestions/ingestions.system';
import { MetricsSystem } from './ingestions/metrics.system';
import { KeywordsHandler } from './keywords/keywords.handler';
import { KeywordsRepository } from './keywords/keywords.repository';
import { KeywordsService } from './keywords/keywords.service';
import { Providers } from './providers/providers';
import { IngestionQueue } from './queues/ingestion-queue';
import { IngestionProcessor } from './queues/ingestion.processor';
import { INGESTION_QUEUE, SWEEP_JOB } from './queues/queues';
import { CREDENTIAL_VAULT } from './seo.tokens';
import { SourcesHandler } from './sources/sources.handler';
import { SourcesRepository } from './sources/sources.repository';
import { SourcesService } from './sources/sources.service';
import { SourcesSystem } from './sources/sources.system';

@Module({})
export class AppModule {
  static register(config: SeoConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...serviceQueues(config, [INGESTION_QUEUE]),
        ServiceRuntimeModule.register({
          service: SERVICE_NAME,
          config,
          database: seoDatabaseOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
        }),
      ],
      controllers: [SourcesHandler, IngestionsHandler, KeywordsHandler],
      providers: [
        { provide: CREDENTIAL_VAULT, useValue: new CredentialVault(config.SEO_ENCRYPTION_KEYS) },
        Providers,
        IngestionQueue,
        SourcesRepository,
        SourcesService,
        SourcesSystem,
        ControlPlaneEventHandlers,
        eventConsumerHost(EventQueues.seo, SERVICE_NAME, ControlPlaneEventHandlers),
        IngestionsRepository,
        IngestionsService,
        IngestionsSystem,
        MetricsSystem,
        IngestionRunner,
        IngestionProcessor,
        jobSchedules(INGESTION_QUEUE, [{ name: SWEEP_JOB, everyMs: config.SEO_SWEEP_EVERY_MS }]),
        AnalysisSystem,
        KeywordsRepository,
        KeywordsService,
      ],
    };
  }
}
