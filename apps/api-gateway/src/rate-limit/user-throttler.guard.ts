import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AuthenticatedRequest } from '@smartbeak/auth';

/** Counts per user once AuthGuard has identified the caller, per client IP before that. */
@Injectable()
export class UserThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const ctx = (req as unknown as AuthenticatedRequest).ctx;
    return ctx ? `user:${ctx.orgId}:${ctx.userId}` : `ip:${String(req['ip'])}`;
  }

  /**
   * The counter's key: route, throttler and caller, as the library's own
   * (which is their SHA-256, on every request) — the parts are short and
   * bounded (a route's names, Clerk ids of at most 200 characters, an address).
   */
  protected override generateKey(context: ExecutionContext, tracker: string, name: string): string {
    return `${context.getClass().name}-${context.getHandler().name}-${name}-${tracker}`;
  }
}
