import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

import { PageQueryDto } from '../pagination';
import { type Permission } from '../request-context';

export const CONTENT_STATUSES = ['draft', 'review', 'scheduled', 'published', 'archived'] as const;
export type ContentStatus = (typeof CONTENT_STATUSES)[number];

export const CONTENT_SORTS = ['createdAt', 'updatedAt'] as const;
export type ContentSort = (typeof CONTENT_SORTS)[number];

/** The fields a revision snapshots and a diff compares. */
export const CONTENT_FIELDS = ['title', 'slug', 'body', 'excerpt', 'tags', 'status', 'scheduledFor'] as const;
export type ContentField = (typeof CONTENT_FIELDS)[number];

export const MAX_BODY_CHARS = 1_000_000;
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const normaliseTags = ({ value }: { value: unknown }) =>
  Array.isArray(value)
    ? [...new Set(value.map((tag) => (typeof tag === 'string' ? tag.trim().toLowerCase() : tag)))]
    : value;

/** The editable fields, shared by create and update. */
class ContentFieldsDto {
  @ApiPropertyOptional({ description: 'HTML or Markdown, as the editor produced it' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_BODY_CHARS)
  body?: string;

  @ApiPropertyOptional({
    example: 'my-first-post',
    description: 'Made from the title when absent; unique per domain (a suffix is added on a clash)',
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  @Matches(SLUG_PATTERN, { message: 'slug must be lowercase letters and digits separated by single hyphens' })
  slug?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  excerpt?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['news', 'launch'],
    description: 'Lower-cased and de-duplicated',
  })
  @IsOptional()
  @Transform(normaliseTags)
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 50, { each: true })
  @Matches(/^[^,]+$/, { each: true, message: 'a tag must not contain a comma' })
  tags?: string[];
}

export class CreateContentDto extends ContentFieldsDto {
  @ApiPropertyOptional({ format: 'uuid', description: "Defaults to the token's domain" })
  @IsOptional()
  @IsUUID('all')
  domainId?: string;

  @ApiProperty({ example: 'Launch notes', minLength: 1, maxLength: 300 })
  @Transform(trim)
  @IsString()
  @Length(1, 300)
  title!: string;
}

export class UpdateContentDto extends ContentFieldsDto {
  @ApiProperty({ format: 'uuid' })
  @IsString()
  @Length(1, 100)
  id!: string;

  @ApiProperty({
    description: 'The version the edit was made on; another one answers 409 with the current version',
  })
  @IsInt()
  @Min(1)
  version!: number;

  @ApiPropertyOptional({ minLength: 1, maxLength: 300 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 300)
  title?: string;
}

export class ListContentQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  domainId?: string;

  @ApiPropertyOptional({ enum: CONTENT_STATUSES })
  @IsOptional()
  @IsIn(CONTENT_STATUSES)
  status?: ContentStatus;

  @ApiPropertyOptional({ description: 'Words in the title (case-insensitive)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;

  @ApiPropertyOptional({ example: 'news,launch', description: 'Comma-separated: items carrying all of them' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  tags?: string;

  @ApiPropertyOptional({ example: 'user_2abc', description: 'Items this user created (the author)' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  createdBy?: string;

  @ApiPropertyOptional({ enum: CONTENT_SORTS, default: 'createdAt', description: 'Newest first' })
  @IsOptional()
  @IsIn(CONTENT_SORTS)
  sort?: ContentSort;
}

export class TransitionDto {
  @ApiProperty({ enum: CONTENT_STATUSES })
  @IsIn(CONTENT_STATUSES)
  to!: ContentStatus;

  @ApiProperty()
  @IsInt()
  @Min(1)
  version!: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'Required to schedule; must be in the future' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  scheduledFor?: string;
}

export class AcquireLockDto {
  @ApiPropertyOptional({ default: 300, minimum: 5, maximum: 3600 })
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(3600)
  ttlSeconds?: number;
}

export class RestoreRevisionDto {
  @ApiProperty({ description: "The item's current version" })
  @IsInt()
  @Min(1)
  version!: number;
}

// RPC payloads: the gateway adds the path parameters to the body.

export class ContentIdDto {
  @IsString()
  @Length(1, 100)
  id!: string;
}

export class ContentIdsDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  ids!: string[];
}

export class TransitionRequestDto extends TransitionDto {
  @IsString()
  @Length(1, 100)
  id!: string;
}

export class LockRequestDto extends AcquireLockDto {
  @IsString()
  @Length(1, 100)
  id!: string;
}

export class RevisionListQueryDto extends PageQueryDto {
  @IsString()
  @Length(1, 100)
  id!: string;
}

const pathVersion = () =>
  Transform(({ value }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value));

export class RevisionRefDto {
  @IsString()
  @Length(1, 100)
  id!: string;

  @pathVersion()
  @IsInt({ message: 'version must be an integer' })
  @Min(1)
  revision!: number;
}

export class RevisionDiffRefDto {
  @IsString()
  @Length(1, 100)
  id!: string;

  @pathVersion()
  @IsInt({ message: 'a must be a version number' })
  @Min(1)
  a!: number;

  @pathVersion()
  @IsInt({ message: 'b must be a version number' })
  @Min(1)
  b!: number;
}

export class RestoreRevisionRequestDto extends RevisionRefDto {
  @IsInt()
  @Min(1)
  version!: number;
}

// Answers.

export class ContentLockDto {
  @ApiProperty() lockedBy!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class ContentItemDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) domainId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() body!: string;
  @ApiProperty() excerpt!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ enum: CONTENT_STATUSES }) status!: ContentStatus;
  @ApiProperty() version!: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) scheduledFor!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) publishedAt!: string | null;
  @ApiProperty() createdBy!: string;
  @ApiProperty() updatedBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ nullable: true, type: ContentLockDto }) lock!: ContentLockDto | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Archived for over a year',
  })
  coldSince?: string | null;
}

export class ContentRevisionDto {
  @ApiProperty({ format: 'uuid' }) itemId!: string;
  @ApiProperty() version!: number;
  @ApiProperty() title!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() body!: string;
  @ApiProperty() excerpt!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ enum: CONTENT_STATUSES }) status!: ContentStatus;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) scheduledFor!: string | null;
  @ApiProperty({ description: 'The event that made this version, e.g. content.item.updated' }) cause!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class FieldChangeDto {
  @ApiProperty({ enum: CONTENT_FIELDS }) field!: ContentField;
  @ApiProperty({ nullable: true }) from!: unknown;
  @ApiProperty({ nullable: true }) to!: unknown;
  @ApiPropertyOptional({ type: [String], description: 'For tags: what b added' }) added?: string[];
  @ApiPropertyOptional({ type: [String], description: 'For tags: what b removed' }) removed?: string[];
}

export class ContentDiffDto {
  @ApiProperty({ format: 'uuid' }) itemId!: string;
  @ApiProperty() from!: number;
  @ApiProperty() to!: number;
  @ApiProperty({ type: [FieldChangeDto], description: 'Only the fields that differ' })
  changes!: FieldChangeDto[];
}

export class ContentEventDto {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ format: 'uuid' }) aggregateId!: string;
  @ApiProperty({ example: 'content.item.updated' }) type!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ type: Object }) payload!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
}

/** Moves and who may make them (docs/api.md § Content). `system` moves are made by the service alone. */
export const CONTENT_MOVES: Readonly<
  Record<ContentStatus, Partial<Record<ContentStatus, Permission | 'system'>>>
> = {
  draft: { review: 'content:write' },
  review: { draft: 'content:review', scheduled: 'content:review', published: 'content:review' },
  scheduled: { draft: 'content:write', published: 'system' },
  published: { archived: 'content:publish' },
  archived: { draft: 'content:publish' },
};
