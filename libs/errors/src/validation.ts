import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import { type FieldError } from '@smartbeak/contracts';

import { DomainError } from './domain-error';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- class-transformer's own constructor type
export type Class<T> = new (...args: any[]) => T;

/** Flattens class-validator's tree into `{ field, message }` pairs with dotted paths. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      out.push({ field, message });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

export const STRICT_VALIDATION = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
} as const;

/**
 * Turns untrusted input (an RPC payload, a query) into a validated DTO or
 * throws a `COMMON.VALIDATION` DomainError listing every field at fault.
 */
export function parseDto<T extends object>(dto: Class<T>, input: unknown): T {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw DomainError.validation([{ field: '', message: 'a JSON object is expected' }]);
  }
  const instance = plainToInstance(dto, input as object, { enableImplicitConversion: false }) as T;
  const errors = validateSync(instance, STRICT_VALIDATION);
  if (errors.length) throw DomainError.validation(flattenValidationErrors(errors));
  return instance;
}
