import { Body, Controller, Delete, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { DevSessionSigner, Public } from '@smartbeak/auth';
import { DevSessionAnswerDto, DevSessionDto } from '@smartbeak/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { DEV_SESSION_SIGNER } from '../gateway.tokens';

/** How long a dev session lasts (a working day). */
const DEV_SESSION_TTL_SECONDS = 12 * 3600;

/** The session cookie: httpOnly (no script reads it), SameSite=Lax, Secure over https. */
function sessionCookie(req: FastifyRequest, value: string, maxAge: number): string {
  return [
    `__session=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${maxAge}`,
    ...(req.protocol === 'https' ? ['Secure'] : []),
  ].join('; ');
}

/**
 * The console's sign-in when the gateway runs with the local development key
 * (`DEV_SESSION_KEY`, no Clerk instance): pick an org, a user and permissions,
 * get a session cookie. Registered only then (app.module.ts): with a Clerk
 * key, or in production, these routes do not exist.
 */
@ApiTags('dev')
@Controller('dev/session')
export class DevSessionController {
  constructor(@Inject(DEV_SESSION_SIGNER) private readonly signer: DevSessionSigner) {}

  @Post()
  @Public()
  @ApiCreatedResponse({ type: DevSessionAnswerDto })
  @ApiOperation({ summary: 'Development sign-in (never in production)' })
  async signIn(
    @Body() body: DevSessionDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DevSessionAnswerDto> {
    const { token, expiresAt } = await this.signer.sign(body, DEV_SESSION_TTL_SECONDS);
    reply.header('set-cookie', sessionCookie(req, token, DEV_SESSION_TTL_SECONDS));
    reply.header('cache-control', 'no-store');
    return {
      userId: body.userId,
      orgId: body.orgId,
      permissions: body.permissions,
      expiresAt: expiresAt.toISOString(),
    };
  }

  @Delete()
  @Public()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Signed out: the cookie is cleared' })
  @ApiOperation({ summary: 'Development sign-out' })
  signOut(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): void {
    reply.header('set-cookie', sessionCookie(req, '', 0));
  }
}
