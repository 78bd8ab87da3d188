import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { CommonError, ProblemDetails } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import type { FastifyReply } from 'fastify';

import { fastifyErrorProblem } from '../http/fastify-http';

import { domainProblem, problem, sendProblem } from './problem';

const CODE_OF_STATUS: Record<number, string> = {
  400: CommonError.VALIDATION,
  401: CommonError.UNAUTHENTICATED,
  403: CommonError.FORBIDDEN,
  404: CommonError.NOT_FOUND,
  409: CommonError.CONFLICT,
  413: CommonError.PAYLOAD_TOO_LARGE,
  429: CommonError.RATE_LIMITED,
};

/** The one place where errors become HTTP: RFC 9457 problem+json, never a stack trace. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    sendProblem(host.switchToHttp().getResponse<FastifyReply>(), this.toProblem(error));
  }

  toProblem(error: unknown): ProblemDetails {
    if (error instanceof DomainError) return domainProblem(error);
    if (error instanceof ThrottlerException) {
      return problem(
        429,
        CommonError.RATE_LIMITED,
        'Too many requests: slow down and retry after the time in Retry-After',
      );
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      if (status < 500) {
        const code = CODE_OF_STATUS[status] ?? `HTTP.${status}`;
        const response = error.getResponse();
        const detail =
          typeof response === 'string'
            ? response
            : String((response as { message?: unknown }).message ?? error.message);
        return problem(status, code, status === 404 ? 'No such resource' : detail);
      }
      if (status === 503) {
        // A readiness probe that failed (terminus): which dependency is down, and why.
        const response = error.getResponse() as { details?: unknown };
        return problem(503, CommonError.SERVICE_UNAVAILABLE, 'Not ready', { details: response?.details });
      }
    }
    const refused = fastifyErrorProblem(error);
    if (refused) return refused;
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return problem(
      500,
      CommonError.INTERNAL,
      'Something went wrong on our side; the request id identifies it in our logs',
    );
  }
}
