import { plainToInstance } from 'class-transformer';
import {
  getMetadataStorage,
  type MetadataStorage,
  type ValidationError,
  validateSync,
} from 'class-validator';
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

/**
 * class-validator finds a class's rules, on every validation, by testing the
 * class against every class that has rules (`instanceof`, for inherited
 * ones): with the gateway's DTOs that was ~5 % of a page request's CPU, and
 * each service pays it again on each payload. Rules are declared as classes
 * load and do not change after, so each answer is remembered, per class and
 * options; declaring another rule (a class loaded later) forgets them all.
 * Done once per process, for every caller (Nest's ValidationPipe included):
 * it is the one storage class-validator keeps.
 */
type Rule = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];

function rememberRuleLookups(): void {
  const storage = getMetadataStorage();
  const marker = storage as unknown as { smartbeakRemembers?: true };
  if (marker.smartbeakRemembers) return;
  marker.smartbeakRemembers = true;
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const declare = storage.addValidationMetadata.bind(storage);
  let remembered = new WeakMap<object, Map<string, Rule[]>>();
  storage.addValidationMetadata = (metadata: Rule) => {
    remembered = new WeakMap();
    declare(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (typeof target !== 'function') return lookUp(target, schema, always, strictGroups, groups);
    const options = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0000') ?? ''}`;
    let ofTarget = remembered.get(target);
    if (!ofTarget) remembered.set(target, (ofTarget = new Map()));
    let rules = ofTarget.get(options);
    if (!rules) ofTarget.set(options, (rules = lookUp(target, schema, always, strictGroups, groups)));
    return rules;
  };
}
rememberRuleLookups();

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
