import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';

import { type SerializedError } from '../errors';
import { PageQueryDto } from '../pagination';

export const TARGET_TYPES = ['wordpress', 'linkedin', 'email'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export const JOB_STATES = ['pending', 'queued', 'active', 'completed', 'failed', 'retrying'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const JOB_TARGET_STATES = ['pending', 'active', 'succeeded', 'failed', 'unconfirmed'] as const;
export type JobTargetState = (typeof JOB_TARGET_STATES)[number];

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

// Target configurations, one per type; secrets (applicationPassword, accessToken) are stored
// encrypted and never returned.

export class WordPressConfigDto {
  @ApiProperty({ example: 'https://blog.example.com' })
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  @Length(1, 500)
  baseUrl!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 200)
  username!: string;

  @ApiProperty({ description: 'A WordPress application password (Users → Profile); write-only' })
  @IsString()
  @Length(1, 200)
  applicationPassword!: string;

  @ApiPropertyOptional({ description: 'Use `/?rest_route=` URLs (sites without pretty permalinks)' })
  @IsOptional()
  @IsBoolean()
  restRoute?: boolean;

  @ApiPropertyOptional({
    type: [String],
    description: 'Category names given to every post (made when missing)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  categories?: string[];
}

export class LinkedInConfigDto {
  @ApiProperty({ description: 'OAuth access token with w_member_social / w_organization_social; write-only' })
  @IsString()
  @Length(1, 2000)
  accessToken!: string;

  @ApiProperty({ example: 'urn:li:organization:123456' })
  @Matches(/^urn:li:(person|organization):[A-Za-z0-9_-]{1,100}$/, {
    message: 'authorUrn must be urn:li:person:… or urn:li:organization:…',
  })
  authorUrn!: string;
}

export class EmailConfigDto {
  @ApiProperty({ example: 'newsletter@example.com' })
  @IsEmail()
  from!: string;

  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ArrayUnique()
  @IsEmail({}, { each: true })
  to!: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail()
  replyTo?: string;
}

export class CreateTargetDto {
  @ApiPropertyOptional({ format: 'uuid', description: "Defaults to the token's domain" })
  @IsOptional()
  @IsUUID('all')
  domainId?: string;

  @ApiProperty({ enum: TARGET_TYPES })
  @IsIn(TARGET_TYPES)
  type!: TargetType;

  @ApiProperty({ example: 'Company blog' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'wordpress { baseUrl, username, applicationPassword } · linkedin { accessToken, authorUrn } · email { from, to[] }',
  })
  @IsObject()
  config!: Record<string, unknown>;

  @ApiPropertyOptional({ default: true, description: "Publish here when an item's scheduled time comes" })
  @IsOptional()
  @IsBoolean()
  autoPublish?: boolean;
}

export class ListTargetsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  domainId?: string;
}

export class CreateJobDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  contentId!: string;

  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  targetIds!: string[];

  @ApiPropertyOptional({ format: 'date-time', description: 'Run at this time instead of now' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  scheduledFor?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "A ready image of the media library: WordPress gets it as the post's featured image",
  })
  @IsOptional()
  @IsUUID('all')
  featuredMediaId?: string;
}

/** At most this many jobs in one batch request. */
export const JOB_BATCH_MAX = 100;

/**
 * Up to 100 jobs in one request: each item is a CreateJobDto and follows the
 * same rules. An item's shape error refuses the whole batch (400, field
 * `jobs.N.field`); a rule an item breaks (missing content, a foreign target)
 * fails that item alone.
 */
export class CreateJobBatchDto {
  @ApiProperty({ type: [CreateJobDto], minItems: 1, maxItems: JOB_BATCH_MAX })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(JOB_BATCH_MAX)
  @ValidateNested({ each: true })
  @Type(() => CreateJobDto)
  jobs!: CreateJobDto[];
}

export class ListJobsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  domainId?: string;

  @ApiPropertyOptional({ enum: JOB_STATES })
  @IsOptional()
  @IsIn(JOB_STATES)
  state?: JobState;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  contentId?: string;
}

export const RESOLVE_ACTIONS = ['mark-succeeded', 'retry'] as const;

export class ResolveTargetDto {
  @ApiProperty({ enum: RESOLVE_ACTIONS })
  @IsIn(RESOLVE_ACTIONS)
  action!: (typeof RESOLVE_ACTIONS)[number];
}

// RPC payloads with path parameters.

export class PublishingIdDto {
  @IsString()
  @Length(1, 100)
  id!: string;
}

export class ResolveTargetRequestDto extends ResolveTargetDto {
  @IsString()
  @Length(1, 100)
  id!: string;

  @IsString()
  @Length(1, 100)
  targetId!: string;
}

// Answers.

export class TargetDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) domainId!: string;
  @ApiProperty({ enum: TARGET_TYPES }) type!: TargetType;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Without its secrets' })
  config!: Record<string, unknown>;
  @ApiProperty() autoPublish!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class TargetTestResultDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty() detail!: string;
}

export class JobTargetDto {
  @ApiProperty({ format: 'uuid' }) targetId!: string;
  @ApiProperty({ enum: TARGET_TYPES }) type!: TargetType;
  @ApiProperty({ enum: JOB_TARGET_STATES }) state!: JobTargetState;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: String }) externalId!: string | null;
  @ApiProperty({ nullable: true, type: String }) externalUrl!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
}

export class JobDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) domainId!: string;
  @ApiProperty({ format: 'uuid' }) contentId!: string;
  @ApiProperty({ description: "The item's title when the job was made" }) title!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The featured image (its CDN URL), if one was picked',
  })
  featuredImageUrl!: string | null;
  @ApiProperty({ enum: JOB_STATES }) state!: JobState;
  @ApiProperty({ type: [JobTargetDto] }) targets!: JobTargetDto[];
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) scheduledFor!: string | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completedAt!: string | null;
}

export class DeadLetterDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) jobId!: string;
  @ApiProperty() originalQueue!: string;
  @ApiProperty({ enum: ['transient', 'validation', 'system'] }) errorType!: string;
  @ApiProperty() errorMessage!: string;
  @ApiProperty({ format: 'date-time' }) failedAt!: string;
  @ApiProperty() retryCount!: number;
  @ApiProperty({ type: Object }) payload!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) redrivenAt!: string | null;
}

/** One item of a batch as publishing answers it: the job made, or why not. */
export interface JobBatchOutcome {
  index: number;
  job?: JobDto;
  error?: SerializedError;
}

/** One item of a batch as the gateway answers it. */
export class JobBatchItemDto {
  @ApiProperty({ description: 'Position of the item in the request' })
  index!: number;

  @ApiProperty({ description: '202 when the job was made, else the status a single create would answer' })
  status!: number;

  @ApiPropertyOptional({ type: () => JobDto })
  job?: JobDto;

  @ApiPropertyOptional({
    description: 'RFC 9457 problem details of the item, as a single create would answer them',
    type: 'object',
    additionalProperties: true,
  })
  problem?: Record<string, unknown>;
}

export class JobBatchDto {
  @ApiProperty({ description: 'Items made into jobs' })
  accepted!: number;

  @ApiProperty({ description: 'Items refused, each with its problem' })
  rejected!: number;

  @ApiProperty({ type: [JobBatchItemDto], description: 'One per job of the request, in its order' })
  items!: JobBatchItemDto[];
}
