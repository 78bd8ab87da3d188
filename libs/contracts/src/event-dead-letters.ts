import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';

import { PageQueryDto } from './pagination';
import { SERVICES } from './patterns';

/** Every service keeps the events it gave up on; operators list and re-drive them. */
export function eventDeadLetterPatterns(service: string): { list: string; redrive: string } {
  return { list: `${service}.event-dead-letter.list`, redrive: `${service}.event-dead-letter.redrive` };
}

export class ListEventDeadLettersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SERVICES, description: 'the consuming service (default control-plane)' })
  @IsOptional()
  @IsIn(SERVICES)
  service?: string;

  @ApiPropertyOptional({ description: 'only those not re-driven yet' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  pending?: boolean;
}

export class EventDeadLetterIdDto {
  @IsUUID()
  id!: string;
}
