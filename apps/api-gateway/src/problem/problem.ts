import {
  CommonError,
  ContentError,
  ControlPlaneError,
  MediaError,
  NotificationsError,
  PublishingError,
  type ErrorCode,
  type FieldError,
  type ProblemDetails,
  type SerializedError,
} from '@smartbeak/contracts';
import type { FastifyReply } from 'fastify';

/**
 * Every error code's HTTP status. A Record over the ErrorCode union: a code
 * added to the contracts without a status here does not compile.
 */
export const STATUS_OF: Record<ErrorCode, number> = {
  [CommonError.VALIDATION]: 400,
  [CommonError.RULE_VIOLATION]: 422,
  [CommonError.UNAUTHENTICATED]: 401,
  [CommonError.FORBIDDEN]: 403,
  [CommonError.NOT_FOUND]: 404,
  [CommonError.CONFLICT]: 409,
  [CommonError.PAYLOAD_TOO_LARGE]: 413,
  [CommonError.RATE_LIMITED]: 429,
  [CommonError.SERVICE_UNAVAILABLE]: 503,
  [CommonError.SERVICE_TIMEOUT]: 504,
  [CommonError.INTERNAL]: 500,
  [ControlPlaneError.DOMAIN_NOT_FOUND]: 404,
  [ControlPlaneError.HOSTNAME_TAKEN]: 409,
  [ControlPlaneError.WEBHOOK_SIGNATURE_INVALID]: 401,
  [ContentError.ITEM_NOT_FOUND]: 404,
  [ContentError.REVISION_NOT_FOUND]: 404,
  [ContentError.VERSION_CONFLICT]: 409,
  [ContentError.ILLEGAL_TRANSITION]: 409,
  [ContentError.LOCKED]: 423,
  [ContentError.NOT_LOCK_HOLDER]: 423,
  [ContentError.NOT_DELETED]: 409,
  [PublishingError.TARGET_NOT_FOUND]: 404,
  [PublishingError.JOB_NOT_FOUND]: 404,
  [PublishingError.DEAD_LETTER_NOT_FOUND]: 404,
  [PublishingError.CONTENT_NOT_PUBLISHABLE]: 422,
  [PublishingError.NOTHING_TO_RETRY]: 409,
  [PublishingError.DESTINATION_REFUSED]: 400,
  [MediaError.ASSET_NOT_FOUND]: 404,
  [MediaError.TYPE_NOT_ALLOWED]: 400,
  [MediaError.TOO_LARGE]: 413,
  [MediaError.NOT_UPLOADED]: 409,
  [MediaError.VERIFICATION_FAILED]: 409,
  [MediaError.INTENT_EXPIRED]: 409,
  [MediaError.WEBHOOK_SIGNATURE_INVALID]: 401,
  [MediaError.STORAGE_UNAVAILABLE]: 503,
  [NotificationsError.NOTIFICATION_NOT_FOUND]: 404,
  [NotificationsError.DEVICE_NOT_FOUND]: 404,
  [NotificationsError.DEAD_LETTER_NOT_FOUND]: 404,
  [NotificationsError.CRITICAL_TYPE_NEEDS_A_CHANNEL]: 422,
  [NotificationsError.UNSUBSCRIBE_TOKEN_INVALID]: 400,
  [NotificationsError.WEBHOOK_SIGNATURE_INVALID]: 401,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  423: 'Locked',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function titleOf(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** `COMMON.NOT_FOUND` → `/problems/common-not-found`: a stable, documented type per code. */
export function typeOf(code: string): string {
  return `/problems/${code.toLowerCase().replace(/[._]/g, '-')}`;
}

export function problem(
  status: number,
  code: string,
  detail: string,
  extras: { errors?: FieldError[]; instance?: string; [key: string]: unknown } = {},
): ProblemDetails {
  const { errors, ...rest } = extras;
  const reserved = { type: typeOf(code), title: titleOf(status), status, detail, code };
  // Extension members never override the standard ones.
  return { ...reserved, ...rest, ...reserved, ...(errors?.length ? { errors } : {}) };
}

/** A service's error (thrown, or one item of a batch) as the problem the gateway answers for it. */
export function domainProblem(error: SerializedError): ProblemDetails {
  const status = STATUS_OF[error.code] ?? 500;
  return problem(status, error.code, error.message, { errors: error.errors, ...error.extras });
}

export function sendProblem(reply: FastifyReply, body: ProblemDetails): void {
  body.instance ??= reply.request?.url?.split('?')[0];
  if (body.status === 401) reply.header('WWW-Authenticate', 'Bearer');
  if ((body.status === 503 || body.status === 429) && !reply.getHeader('Retry-After')) {
    reply.header('Retry-After', String(body['retryAfter'] ?? 5));
  }
  void reply.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}
