import { Inject, Injectable, Logger } from '@nestjs/common';
import { systemScope } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';

import { MediaConfig } from '../config/media.config';
import { MEDIA_STORAGE } from '../media.tokens';
import { StorageService } from '../storage/storage.service';
import { AssetsSystem } from './assets.system';

const SWEEP = systemScope('media sweep');

/**
 * Expires intents never completed, and removes the objects of deleted or
 * expired assets. Safe to run on several replicas.
 */
@Injectable()
export class StorageSweep {
  private readonly logger = new Logger(StorageSweep.name);

  constructor(
    private readonly system: AssetsSystem,
    @Inject(SERVICE_CONFIG) private readonly config: MediaConfig,
    @Inject(MEDIA_STORAGE) private readonly storage: StorageService,
  ) {}

  async sweep(batch = 200): Promise<{ expired: number; objectsRemoved: number }> {
    const stale = await this.system.expirePending(SWEEP, this.config.MEDIA_PENDING_EXPIRY_HOURS, batch);
    for (const asset of stale) await this.storage.delete(asset.storageKey);
    const orphans = await this.system.orphans(SWEEP, batch);
    for (const orphan of orphans) {
      await this.storage.delete(orphan.storageKey);
      await this.system.markObjectDeleted(SWEEP, orphan.id);
    }
    if (stale.length || orphans.length)
      this.logger.log(`sweep: ${stale.length} expired, ${orphans.length} objects removed`);
    return { expired: stale.length, objectsRemoved: orphans.length };
  }
}
