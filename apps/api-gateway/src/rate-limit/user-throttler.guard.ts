import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AuthenticatedRequest } from '@smartbeak/auth';

/** Counts per user once AuthGuard has identified the caller, per client IP before that. */
@Injectable()
export class UserThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const ctx = (req as unknown as AuthenticatedRequest).ctx;
    return ctx ? `user:${ctx.orgId}:${ctx.userId}` : `ip:${String(req['ip'])}`;
  }
}
