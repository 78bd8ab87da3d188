import { postgresOptions } from '@smartbeak/persistence';
import { serviceMigrations } from '@smartbeak/runtime';
import { type DataSourceOptions } from 'typeorm';

import { MediaInitial1764200000000 } from './migrations/1764200000000-MediaInitial';
import { AssetUploader1796200000000 } from './migrations/1796200000000-AssetUploader';

export const MIGRATIONS = serviceMigrations(MediaInitial1764200000000, AssetUploader1796200000000);

export function mediaDatabaseOptions(url: string, poolSize?: number): DataSourceOptions {
  return postgresOptions({
    url,
    migrations: MIGRATIONS,
    poolSize,
    applicationName: 'media',
  });
}
