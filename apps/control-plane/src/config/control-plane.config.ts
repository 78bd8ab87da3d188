import { ServiceConfig } from '@smartbeak/config';
import { IsInt, Min } from 'class-validator';

/** control-plane's settings beside the common service ones (see the README's env table). */
export class ControlPlaneConfig extends ServiceConfig {
  /** How often audit entries past their category's retention are deleted. */
  @IsInt()
  @Min(1_000)
  AUDIT_RETENTION_EVERY_MS: number = 6 * 60 * 60 * 1000;
}

export const SERVICE_NAME = 'control-plane';
