import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { CommonError } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { createTestKeys, mintToken, type TestKeys } from '@smartbeak/testing';

import { type AuthenticatedRequest, AuthGuard } from './auth.guard';
import { Public, RequirePermissions } from './permissions';
import { TokenVerifier } from './token-verifier';

const APP = 'https://app.smartbeak.test';

/** A controller's routes, as the guard sees them: handlers and their decorators. */
class Routes {
  @RequirePermissions('content:write')
  write(): string {
    return 'written';
  }

  read(): string {
    return 'read';
  }

  @Public()
  open(): string {
    return 'open';
  }
}

function request(token: string | null, id: string): AuthenticatedRequest {
  return {
    id,
    method: 'GET',
    url: '/api/content',
    headers: token ? { authorization: `Bearer ${token}` } : {},
  };
}

function contextOf(req: AuthenticatedRequest, handler: keyof Routes): ExecutionContextHost {
  // The (request, reply) pair Nest hands an HTTP guard, and the route's class and handler.
  return new ExecutionContextHost([req, {}], Routes, Routes.prototype[handler]);
}

/** What canActivate ends with, thrown or rejected alike. */
async function outcomeOf(run: () => boolean | Promise<boolean>): Promise<boolean | DomainError> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

describe(AuthGuard.name, () => {
  let keys: TestKeys;
  let verifier: TokenVerifier;
  let sut: AuthGuard;

  beforeAll(async () => {
    keys = await createTestKeys();
  });

  beforeEach(() => {
    verifier = new TokenVerifier({ jwtKey: keys.publicKeyPem, authorizedParties: [APP] });
    sut = new AuthGuard(verifier, new Reflector());
  });

  it('checks a new token before admitting its caller, then admits it without a promise', async () => {
    const token = await mintToken(keys, { userId: 'user_1', orgId: 'org_1', azp: APP });

    const first = request(token, 'req-1');
    const checked = sut.canActivate(contextOf(first, 'read'));
    expect(checked).toBeInstanceOf(Promise);
    expect(await checked).toBe(true);
    expect(first.ctx).toMatchObject({ userId: 'user_1', orgId: 'org_1', requestId: 'req-1' });

    const second = request(token, 'req-2');
    expect(sut.canActivate(contextOf(second, 'read'))).toBe(true);
    expect(second.ctx).toMatchObject({ userId: 'user_1', orgId: 'org_1', requestId: 'req-2' });
  });

  it('refuses a known token the route asks more of (403), and a route that asks nothing needs no token', async () => {
    const token = await mintToken(keys, { azp: APP, permissions: ['content:read'] });
    expect(await sut.canActivate(contextOf(request(token, 'req-1'), 'read'))).toBe(true);

    const refused = await outcomeOf(() => sut.canActivate(contextOf(request(token, 'req-2'), 'write')));
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe(CommonError.FORBIDDEN);
    expect((refused as DomainError).message).toContain('content:write');

    expect(sut.canActivate(contextOf(request(null, 'req-3'), 'open'))).toBe(true);
  });

  it('answers 401 with the reason for a missing, forged or expired token', async () => {
    const forged = await mintToken(await createTestKeys(), { azp: APP });
    const expired = await mintToken(keys, { azp: APP, expiresIn: -60 });
    for (const [token, reason] of [
      [null, undefined],
      [forged, 'token-invalid-signature'],
      [expired, 'token-expired'],
    ] as const) {
      const req = request(token, 'req');
      const refused = await outcomeOf(() => sut.canActivate(contextOf(req, 'read')));
      expect(refused).toBeInstanceOf(DomainError);
      expect((refused as DomainError).code).toBe(CommonError.UNAUTHENTICATED);
      expect((refused as DomainError).extras?.['reason']).toBe(reason);
      expect(req.ctx).toBeUndefined();
    }
  });

  it('checks a known token again once it has expired', async () => {
    const token = await mintToken(keys, { azp: APP, expiresIn: 30 });
    expect(await sut.canActivate(contextOf(request(token, 'req-1'), 'read'))).toBe(true);
    expect(verifier.verifiedBefore(token)).toBeDefined();

    const later = Date.now() + 60_000;
    const clock = jest.spyOn(Date, 'now').mockReturnValue(later);
    try {
      expect(verifier.verifiedBefore(token)).toBeUndefined();
      const refused = await outcomeOf(() => sut.canActivate(contextOf(request(token, 'req-2'), 'read')));
      expect((refused as DomainError).code).toBe(CommonError.UNAUTHENTICATED);
    } finally {
      clock.mockRestore();
    }
  });
});
