import { OutboxAndInbox1764000000000 } from '@smartbeak/messaging';
import { postgresOptions } from '@smartbeak/persistence';
import { type DataSourceOptions } from 'typeorm';

import { MediaAssetEntity } from '../assets/media-asset.entity';
import { MediaInitial1764200000000 } from './migrations/1764200000000-MediaInitial';

export const ENTITIES = [MediaAssetEntity];
export const MIGRATIONS = [OutboxAndInbox1764000000000, MediaInitial1764200000000];

export function mediaDataSourceOptions(url: string, poolSize?: number): DataSourceOptions {
  return postgresOptions({
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    poolSize,
    applicationName: 'media',
  });
}
