import {
  CommonError,
  ControlPlaneError,
  type DomainCheckResult,
  type RequestContext,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';

import { DomainAccess, type RpcSender } from './domain-access';

/** Control-plane as DomainAccess sees it: answers `domain.check`, counting the questions, slowly. */
function controlPlane(domains: Record<string, DomainCheckResult['status']>) {
  const asked: string[] = [];
  let failNext = false;
  const sender: RpcSender = {
    send: async <T>(_pattern: string, data: unknown): Promise<T> => {
      const { ctx, payload } = data as { ctx: RequestContext; payload: { id: string } };
      asked.push(payload.id);
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (failNext) {
        failNext = false;
        throw new DomainError(CommonError.SERVICE_TIMEOUT, 'control-plane did not answer');
      }
      const status = domains[payload.id];
      if (!status) throw new DomainError(ControlPlaneError.DOMAIN_NOT_FOUND, 'Domain not found');
      return { id: payload.id, orgId: ctx.orgId, hostname: `${payload.id}.example.com`, status } as T;
    },
  };
  return { sender, asked, failOnce: () => (failNext = true) };
}

const ctx = (orgId = 'org_a'): RequestContext => ({
  userId: 'user_a',
  orgId,
  domainId: null,
  permissions: [],
  requestId: 'r',
});

describe('DomainAccess', () => {
  it('asks control-plane once when many callers want one domain at once (a batch, a burst)', async () => {
    const cp = controlPlane({ d1: 'active' });
    const access = new DomainAccess(cp.sender);
    const answers = await Promise.all(Array.from({ length: 50 }, () => access.resolve(ctx(), 'd1')));
    expect(new Set(answers.map((a) => a.hostname))).toEqual(new Set(['d1.example.com']));
    expect(cp.asked).toEqual(['d1']);
    // Another org's question about the same id is its own.
    await access.resolve(ctx('org_b'), 'd1');
    expect(cp.asked).toEqual(['d1', 'd1']);
  });

  it('gives every waiting caller the same 404 for a missing domain, and 403 for a suspended one', async () => {
    const cp = controlPlane({ off: 'suspended' });
    const access = new DomainAccess(cp.sender);
    const missing = await Promise.all(
      Array.from({ length: 5 }, () =>
        access.resolve(ctx(), 'nope').catch((error: DomainError) => error.code),
      ),
    );
    expect(missing).toEqual(Array(5).fill(CommonError.NOT_FOUND));
    await expect(access.resolve(ctx(), 'off')).rejects.toMatchObject({ code: CommonError.FORBIDDEN });
    expect(cp.asked).toEqual(['nope', 'off']);
  });

  it('remembers no failure: the callers of a failed question get its error, the next caller asks again', async () => {
    const cp = controlPlane({ d2: 'active' });
    const access = new DomainAccess(cp.sender);
    cp.failOnce();
    const failed = await Promise.all(
      Array.from({ length: 3 }, () => access.resolve(ctx(), 'd2').catch((error: DomainError) => error.code)),
    );
    expect(failed).toEqual(Array(3).fill(CommonError.SERVICE_TIMEOUT));
    expect((await access.resolve(ctx(), 'd2')).id).toBe('d2');
    expect(cp.asked).toEqual(['d2', 'd2']);
  });
});
