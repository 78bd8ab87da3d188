import { ServiceConfig } from '@smartbeak/config';

/** control-plane reads only the common service settings (see the README's env table). */
export class ControlPlaneConfig extends ServiceConfig {}

export const SERVICE_NAME = 'control-plane';
