import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';

import { PERMISSIONS } from '../request-context';

const CLERK_LIKE_ID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * `POST /api/dev/session` (a gateway run with the local development key
 * only): who to be, in which org, with which permissions.
 */
export class DevSessionDto {
  @ApiProperty({ example: 'org_demo' })
  @Matches(CLERK_LIKE_ID, { message: 'orgId must be 1-100 letters, digits, _ or -' })
  orgId!: string;

  @ApiProperty({ example: 'user_demo' })
  @Matches(CLERK_LIKE_ID, { message: 'userId must be 1-100 letters, digits, _ or -' })
  userId!: string;

  @ApiProperty({ enum: PERMISSIONS, isArray: true })
  @IsArray()
  @ArrayMaxSize(PERMISSIONS.length)
  @IsIn(PERMISSIONS, { each: true, message: 'permissions must be known permissions' })
  permissions!: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'Limit the session to one domain' })
  @IsOptional()
  @IsUUID()
  domainId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;
}

export class DevSessionAnswerDto {
  @ApiProperty() userId!: string;
  @ApiProperty() orgId!: string;
  @ApiProperty({ enum: PERMISSIONS, isArray: true }) permissions!: string[];
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}
