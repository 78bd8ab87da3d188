import { CommonError, type ErrorCode, type FieldError, type SerializedError } from '@smartbeak/contracts';

/**
 * The one error a service throws on purpose. It carries a code from
 * `@smartbeak/contracts`; the gateway alone decides the HTTP status.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors?: FieldError[],
    readonly extras?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static forbidden(message = 'You do not have permission to do this'): DomainError {
    return new DomainError(CommonError.FORBIDDEN, message);
  }

  static validation(errors: FieldError[], message = 'The request is not valid'): DomainError {
    return new DomainError(CommonError.VALIDATION, message, errors);
  }

  toJSON(): SerializedError {
    return {
      code: this.code,
      message: this.message,
      ...(this.errors?.length ? { errors: this.errors } : {}),
      ...(this.extras ? { extras: this.extras } : {}),
    };
  }

  static fromJSON(value: SerializedError): DomainError {
    return new DomainError(value.code, value.message, value.errors, value.extras);
  }
}

const KNOWN_CODE = /^[A-Z_]+\.[A-Z_]+$/;

export function isSerializedError(value: unknown): value is SerializedError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate['code'] === 'string' &&
    KNOWN_CODE.test(candidate['code']) &&
    typeof candidate['message'] === 'string'
  );
}
