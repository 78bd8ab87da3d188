import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';

import { PageQueryDto } from '../pagination';

export const MEDIA_STATUSES = ['pending_upload', 'ready', 'failed', 'expired'] as const;
export type MediaStatus = (typeof MEDIA_STATUSES)[number];

export class CreateUploadIntentDto {
  @ApiPropertyOptional({ format: 'uuid', description: "Defaults to the token's domain" })
  @IsOptional()
  @IsUUID('all')
  domainId?: string;

  @ApiProperty({ example: 'hero image.png' })
  @IsString()
  @Length(1, 255)
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  @Matches(/^[^\u0000-\u001f\u007f]+$/, { message: 'filename must not contain control characters' })
  filename!: string;

  @ApiProperty({ example: 'image/png' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsString()
  @Matches(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/, {
    message: 'contentType must be a MIME type such as image/png',
  })
  contentType!: string;

  @ApiProperty({ description: 'Bytes; the upload must match it exactly' })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  size!: number;
}

export class MediaIdDto {
  @IsString()
  @Length(1, 100)
  id!: string;
}

export class ListMediaQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  domainId?: string;

  @ApiPropertyOptional({ enum: MEDIA_STATUSES })
  @IsOptional()
  @IsIn(MEDIA_STATUSES)
  status?: MediaStatus;
}

/** The storage notification as the gateway received it: the service checks its signature. */
export class StorageWebhookDto {
  @IsString()
  @Length(0, 1_000_000)
  body!: string;

  @IsString()
  @Length(0, 500)
  signature!: string;
}

export class MediaAssetDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) domainId!: string;
  @ApiProperty() filename!: string;
  @ApiProperty() contentType!: string;
  @ApiProperty({ description: 'Declared size in bytes' }) size!: number;
  @ApiProperty({ enum: MEDIA_STATUSES }) status!: MediaStatus;
  @ApiProperty() key!: string;
  @ApiProperty({ nullable: true, type: String }) cdnUrl!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) checksum?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) failureReason?: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class UploadInstructionsDto {
  @ApiProperty() url!: string;
  @ApiProperty({ enum: ['PUT'] }) method!: 'PUT';
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Headers the PUT must carry, exactly',
  })
  headers!: Record<string, string>;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class UploadIntentDto {
  @ApiProperty({ type: MediaAssetDto }) asset!: MediaAssetDto;
  @ApiProperty({ type: UploadInstructionsDto }) upload!: UploadInstructionsDto;
}
