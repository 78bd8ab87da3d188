import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';

import { PageQueryDto } from '../pagination';

/** Retention differs per category (auth 1 y, admin 2 y, data access 90 d, security 3 y). */
export const AUDIT_CATEGORIES = ['auth', 'admin', 'data_access', 'security'] as const;
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];

export class ListAuditLogsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: AUDIT_CATEGORIES })
  @IsOptional()
  @IsIn(AUDIT_CATEGORIES)
  category?: AuditCategory;

  @ApiPropertyOptional({ example: 'domain.created' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ example: 'user_2abc', description: 'Entries by this user' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  actorId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Entries at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Entries before this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

/** What another service sends to have an action recorded in the org's audit log. */
export class RecordAuditEntryDto {
  @IsIn(AUDIT_CATEGORIES)
  category!: AuditCategory;

  @IsString()
  @Length(1, 100)
  action!: string;

  @IsString()
  @Length(1, 100)
  targetType!: string;

  @IsString()
  @Length(1, 200)
  targetId!: string;

  @IsOptional()
  @IsUUID('all')
  domainId?: string;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class AuditLogDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() orgId!: string;
  @ApiProperty({ nullable: true, type: String }) domainId!: string | null;
  @ApiProperty({ description: 'The user who acted, or "system" / "clerk".' }) actorId!: string;
  @ApiProperty({ enum: AUDIT_CATEGORIES }) category!: AuditCategory;
  @ApiProperty({ example: 'domain.created' }) action!: string;
  @ApiProperty() targetType!: string;
  @ApiProperty() targetId!: string;
  @ApiProperty({ type: Object }) metadata!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) requestId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}
