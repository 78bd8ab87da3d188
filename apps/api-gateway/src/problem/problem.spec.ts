import { ContentError, ControlPlaneError } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';

import { STATUS_OF, typeOf } from './problem';
import { ProblemFilter } from './problem.filter';

describe(ProblemFilter.name, () => {
  const sut = new ProblemFilter();

  it('maps every error code to a 4xx or 5xx status', () => {
    for (const code of Object.keys(STATUS_OF) as (keyof typeof STATUS_OF)[]) {
      expect(STATUS_OF[code]).toBeGreaterThanOrEqual(400);
      expect(STATUS_OF[code]).toBeLessThan(600);
    }
  });

  it('turns a domain error into a problem with its code, field errors and extras', () => {
    const body = sut.toProblem(
      new DomainError(ControlPlaneError.HOSTNAME_TAKEN, 'taken', [{ field: 'hostname', message: 'taken' }], {
        hint: 'pick another',
      }),
    );
    expect(body).toEqual({
      type: typeOf(ControlPlaneError.HOSTNAME_TAKEN),
      title: 'Conflict',
      status: 409,
      detail: 'taken',
      code: 'CONTROL_PLANE.HOSTNAME_TAKEN',
      errors: [{ field: 'hostname', message: 'taken' }],
      hint: 'pick another',
    });
  });

  it('never lets an extra override a standard member', () => {
    const body = sut.toProblem(
      new DomainError(ContentError.ILLEGAL_TRANSITION, 'no', undefined, { status: 'draft', title: 'x' }),
    );
    expect(body).toEqual(expect.objectContaining({ status: 409, title: 'Conflict', detail: 'no' }));
  });

  it('hides what an unexpected error says', () => {
    const body = sut.toProblem(new Error('password=hunter2 at db.ts:12'));
    expect(body.status).toBe(500);
    expect(JSON.stringify(body)).not.toMatch(/hunter2/);
  });
});
