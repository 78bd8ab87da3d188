import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { Permission } from '../request-context';

export class MeDto {
  @ApiProperty() userId!: string;
  @ApiProperty() orgId!: string;
  @ApiProperty({ nullable: true, type: String }) domainId!: string | null;
  @ApiProperty({ type: [String] }) permissions!: Permission[];
  @ApiPropertyOptional({ nullable: true, type: String }) email?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) name?: string | null;
}
