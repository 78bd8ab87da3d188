import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsFQDN, IsIn, IsOptional, IsString, Length } from 'class-validator';

import { PageQueryDto } from '../pagination';

export const DOMAIN_STATUSES = ['active', 'suspended'] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateDomainDto {
  @ApiProperty({ example: 'Acme blog', minLength: 1, maxLength: 200 })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ example: 'blog.acme.com', description: 'Fully qualified host name, unique per org.' })
  @Transform(({ value }) =>
    typeof value === 'string' ? value.trim().toLowerCase().replace(/\.$/, '') : value,
  )
  @IsString()
  @Length(1, 253)
  @IsFQDN({ require_tld: true, allow_underscores: false, allow_trailing_dot: false })
  hostname!: string;
}

export class ListDomainsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DOMAIN_STATUSES })
  @IsOptional()
  @IsIn(DOMAIN_STATUSES)
  status?: DomainStatus;
}

export class SetDomainStatusDto {
  @IsString()
  @Length(1, 100)
  id!: string;

  @IsIn(DOMAIN_STATUSES)
  status!: DomainStatus;
}

/** A domain id from a path: anything that is not one of the org's domains is a 404, malformed or not. */
export class DomainIdDto {
  @IsString()
  @Length(1, 100)
  id!: string;
}

export class DomainDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() hostname!: string;
  @ApiProperty({ enum: DOMAIN_STATUSES }) status!: DomainStatus;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

/** The answer to "does domain D belong to org O": only for active domains of that org. */
export interface DomainCheckResult {
  id: string;
  orgId: string;
  hostname: string;
  status: DomainStatus;
}
