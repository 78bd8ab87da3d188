import { type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { Database } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import { Pool } from 'pg';

import { type AnalyticsConfig } from '../config/analytics.config';
import { ReportsRepository } from './reports.repository';

/** The database reports read: the read replica when ANALYTICS_READ_DATABASE_URL is set, the primary otherwise. */
export class ReadDatabase implements OnApplicationShutdown {
  private readonly own?: Pool;
  readonly database: Database;

  constructor(config: AnalyticsConfig, primary: Database) {
    if (config.ANALYTICS_READ_DATABASE_URL) {
      this.own = new Pool({
        connectionString: config.ANALYTICS_READ_DATABASE_URL,
        max: config.DATABASE_POOL_SIZE,
        application_name: 'analytics-reports',
      });
      this.own.on('error', () => undefined); // a dropped idle connection; the next query reconnects
      this.database = new Database(this.own, { prepare: config.DATABASE_PREPARED_STATEMENTS });
    } else {
      this.database = primary;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.own?.end();
  }
}

export const readDatabaseProviders: Provider[] = [
  {
    provide: ReadDatabase,
    inject: [SERVICE_CONFIG, Database],
    useFactory: (config: AnalyticsConfig, primary: Database) => new ReadDatabase(config, primary),
  },
  {
    provide: ReportsRepository,
    inject: [ReadDatabase],
    useFactory: (read: ReadDatabase) => new ReportsRepository(read.database),
  },
];
