import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import { CommonError, SerializedError } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { Observable, throwError } from 'rxjs';

/**
 * The last stop of every failing RPC handler (and of a service's few HTTP routes): a DomainError travels back as
 * its code; anything else is logged here and answered as INTERNAL, so no
 * stack or SQL text leaks to the caller.
 */
@Catch()
export class RpcErrorFilter implements ExceptionFilter<unknown> {
  private readonly logger = new Logger('Rpc');

  catch(error: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'http') {
      // A service's own HTTP port serves only /health and /metrics; keep their bodies (terminus' details).
      const status = error instanceof HttpException ? error.getStatus() : 500;
      if (status >= 500 && !(error instanceof HttpException)) {
        this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      }
      const body = error instanceof HttpException ? error.getResponse() : { status };
      host
        .switchToHttp()
        .getResponse<{ status(code: number): { json(body: unknown): void } }>()
        .status(status)
        .json(body);
      return;
    }
    return throwError(() => this.serialize(error));
  }

  private serialize(error: unknown): SerializedError {
    if (error instanceof DomainError) return error.toJSON();
    if (error instanceof BadRequestException) {
      return { code: CommonError.VALIDATION, message: error.message };
    }
    if (error instanceof HttpException && error.getStatus() < 500) {
      return { code: CommonError.RULE_VIOLATION, message: error.message };
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return { code: CommonError.INTERNAL, message: 'Internal error' };
  }
}
