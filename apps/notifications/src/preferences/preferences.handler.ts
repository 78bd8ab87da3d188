import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import {
  DeviceIdDto,
  Patterns,
  type PreferencesDto,
  RegisterDeviceDto,
  type RequestContext,
  UnsubscribeDto,
  UpdatePreferencesDto,
} from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';

import { PreferencesService } from './preferences.service';

/** Thin: each pattern validates its payload and calls the service. */
@Controller()
export class PreferencesHandler {
  constructor(private readonly preferences: PreferencesService) {}

  @MessagePattern(Patterns.notifications.preferencesGet)
  get(@RpcCtx() ctx: RequestContext): Promise<PreferencesDto> {
    return this.preferences.get(ctx);
  }

  @MessagePattern(Patterns.notifications.preferencesUpdate)
  update(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(UpdatePreferencesDto) input: UpdatePreferencesDto,
  ): Promise<PreferencesDto> {
    return this.preferences.update(ctx, input);
  }

  @MessagePattern(Patterns.notifications.deviceRegister)
  register(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(RegisterDeviceDto) input: RegisterDeviceDto,
  ): Promise<{ id: string }> {
    return this.preferences.registerDevice(ctx, input);
  }

  @MessagePattern(Patterns.notifications.deviceRemove)
  async remove(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(DeviceIdDto) { id }: DeviceIdDto,
  ): Promise<{ ok: true }> {
    await this.preferences.removeDevice(ctx, id);
    return { ok: true };
  }

  /** A service call from the gateway (the link carries its own signature). */
  @MessagePattern(Patterns.notifications.unsubscribe)
  unsubscribe(
    @RpcPayload(UnsubscribeDto) { token }: UnsubscribeDto,
  ): Promise<{ type: string; channel: string; page: string }> {
    return this.preferences.unsubscribe(token);
  }
}
