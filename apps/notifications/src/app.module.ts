import { type DynamicModule, Module } from '@nestjs/common';
import { EventQueues } from '@smartbeak/contracts';
import { eventConsumerHost, jobSchedules, serviceQueues, ServiceRuntimeModule } from '@smartbeak/runtime';

import { OperatorAlerts } from './alerts/operator-alerts';
import { OperatorAlertsSystem } from './alerts/operator-alerts.system';
import { channelSenders, operatorPagers } from './channels/senders';
import { type NotificationsConfig, SERVICE_NAME } from './config/notifications.config';
import { notificationsDatabaseOptions } from './database/schema';
import { DeadLettersHandler } from './delivery/dead-letters.handler';
import { DeadLettersRepository } from './delivery/dead-letters.repository';
import { DeadLettersService } from './delivery/dead-letters.service';
import { DeliveriesSystem } from './delivery/deliveries.system';
import { DeliverySender } from './delivery/delivery-sender';
import { DeliveryWorkers } from './delivery/delivery.workers';
import { NotificationEvents } from './events/notification-events';
import { InboxHandler } from './inbox/inbox.handler';
import { InboxRepository } from './inbox/inbox.repository';
import { InboxService } from './inbox/inbox.service';
import { LiveSignal } from './live/live-signal';
import { CHANNEL_SENDERS, LINK_TOKENS, OPERATOR_PAGER } from './notifications.tokens';
import { DevicesRepository } from './preferences/devices.repository';
import { LinkTokens } from './preferences/link-token';
import { PreferencesHandler } from './preferences/preferences.handler';
import { PreferencesRepository } from './preferences/preferences.repository';
import { PreferencesService } from './preferences/preferences.service';
import { DeliveryQueue } from './queues/delivery-queue';
import { MaintenanceProcessor } from './queues/maintenance.processor';
import { CHANNEL_QUEUES, MAINTENANCE_QUEUE, OPERATOR_QUEUE, SWEEP_JOB } from './queues/queues';
import { TwilioHandler } from './webhooks/twilio.handler';

@Module({})
export class AppModule {
  static register(config: NotificationsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...serviceQueues(config, [MAINTENANCE_QUEUE, ...Object.values(CHANNEL_QUEUES), OPERATOR_QUEUE]),
        ServiceRuntimeModule.register({
          service: SERVICE_NAME,
          config,
          database: notificationsDatabaseOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
        }),
      ],
      controllers: [InboxHandler, PreferencesHandler, DeadLettersHandler, TwilioHandler],
      providers: [
        { provide: LINK_TOKENS, useValue: new LinkTokens(config.NOTIFICATIONS_LINK_SECRET) },
        { provide: CHANNEL_SENDERS, useFactory: () => channelSenders(config) },
        { provide: OPERATOR_PAGER, useFactory: () => operatorPagers(config) },
        InboxRepository,
        InboxService,
        PreferencesRepository,
        DevicesRepository,
        PreferencesService,
        DeliveriesSystem,
        DeadLettersRepository,
        DeadLettersService,
        DeliveryQueue,
        DeliverySender,
        DeliveryWorkers,
        OperatorAlertsSystem,
        OperatorAlerts,
        LiveSignal,
        NotificationEvents,
        eventConsumerHost(EventQueues.notifications, SERVICE_NAME, NotificationEvents),
        MaintenanceProcessor,
        jobSchedules(MAINTENANCE_QUEUE, [{ name: SWEEP_JOB, everyMs: config.NOTIFICATIONS_SWEEP_EVERY_MS }]),
      ],
    };
  }
}
