import { PutObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '@smartbeak/config';
import {
  type MigratedTestDatabase,
  migratedTestDatabase,
  testInfra,
  testStorageEnv,
  uniqueName,
} from '@smartbeak/testing';

import { AssetsSystem } from '../src/assets/assets.system';
import { StorageSweep } from '../src/assets/storage-sweep.service';
import { MediaConfig } from '../src/config/media.config';
import { mediaDatabaseOptions } from '../src/database/schema';
import { StorageService } from '../src/storage/storage.service';

describe(StorageSweep.name, () => {
  let db: MigratedTestDatabase;
  let storage: StorageService;
  let sut: StorageSweep;
  let config: MediaConfig;

  beforeAll(async () => {
    const { redisUrl } = testInfra();
    db = await migratedTestDatabase('media_sweep', mediaDatabaseOptions);
    config = loadConfig(MediaConfig, {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      ...testStorageEnv(),
    });
    storage = new StorageService(config);
    sut = new StorageSweep(new AssetsSystem(db.database), config, storage);
  });

  afterAll(async () => {
    await db.drop();
  });

  async function asset(
    status: string,
    ageHours: number,
    deleted = false,
  ): Promise<{ id: string; key: string }> {
    const key = `org/org_sweep/domain/d/${uniqueName('a')}/f.png`;
    await storage.client.send(
      new PutObjectCommand({ Bucket: config.S3_BUCKET, Key: key, Body: Buffer.from('x') }),
    );
    const row = await db.database.one<{ id: string }>(
      `INSERT INTO media_assets (org_id, domain_id, filename, content_type, declared_size, storage_key, status, upload_expires_at, created_at, deleted_at)
       VALUES ('org_sweep', gen_random_uuid(), 'f.png', 'image/png', 1, $1, $2, now(), now() - make_interval(hours => $3), $4) RETURNING id`,
      [key, status, ageHours, deleted ? new Date() : null],
    );
    return { id: row!.id, key };
  }

  it('expires intents older than a day and removes the objects of expired and deleted assets, leaving the rest', async () => {
    const stale = await asset('pending_upload', 25);
    const fresh = await asset('pending_upload', 1);
    const deleted = await asset('ready', 1, true);
    const kept = await asset('ready', 48);

    expect(await sut.sweep()).toEqual({ expired: 1, objectsRemoved: 1 });
    const status = async (id: string) =>
      (await db.database.one<{ status: string }>(`SELECT status FROM media_assets WHERE id = $1`, [id]))
        ?.status;
    expect(await status(stale.id)).toBe('expired');
    expect(await status(fresh.id)).toBe('pending_upload');
    expect(await storage.head(stale.key)).toBeNull();
    expect(await storage.head(deleted.key)).toBeNull();
    expect(await storage.head(fresh.key)).not.toBeNull();
    expect(await storage.head(kept.key)).not.toBeNull();

    expect(await sut.sweep()).toEqual({ expired: 0, objectsRemoved: 0 }); // nothing left to do
  });
});
