import { ArrayMaxSize, IsOptional, IsString, MaxLength } from 'class-validator';

/** Who may receive a notification of an org (control-plane answers from its memberships). */
export interface RecipientDto {
  userId: string;
  email: string | null;
  name: string | null;
  role: string;
  permissions: string[];
}

export class RecipientsQueryDto {
  @IsOptional()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  userIds?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(50)
  permission?: string;
}
