/**
 * Every error code a service may answer with. Features add their codes here;
 * the gateway maps each to an HTTP status in one exhaustive table, so a code
 * without a status does not compile.
 */
export enum CommonError {
  VALIDATION = 'COMMON.VALIDATION',
  RULE_VIOLATION = 'COMMON.RULE_VIOLATION',
  UNAUTHENTICATED = 'COMMON.UNAUTHENTICATED',
  FORBIDDEN = 'COMMON.FORBIDDEN',
  NOT_FOUND = 'COMMON.NOT_FOUND',
  CONFLICT = 'COMMON.CONFLICT',
  PAYLOAD_TOO_LARGE = 'COMMON.PAYLOAD_TOO_LARGE',
  RATE_LIMITED = 'COMMON.RATE_LIMITED',
  SERVICE_UNAVAILABLE = 'COMMON.SERVICE_UNAVAILABLE',
  SERVICE_TIMEOUT = 'COMMON.SERVICE_TIMEOUT',
  INTERNAL = 'COMMON.INTERNAL',
}

export enum ControlPlaneError {
  DOMAIN_NOT_FOUND = 'CONTROL_PLANE.DOMAIN_NOT_FOUND',
  HOSTNAME_TAKEN = 'CONTROL_PLANE.HOSTNAME_TAKEN',
  WEBHOOK_SIGNATURE_INVALID = 'CONTROL_PLANE.WEBHOOK_SIGNATURE_INVALID',
}

export enum ContentError {
  ITEM_NOT_FOUND = 'CONTENT.ITEM_NOT_FOUND',
  REVISION_NOT_FOUND = 'CONTENT.REVISION_NOT_FOUND',
  VERSION_CONFLICT = 'CONTENT.VERSION_CONFLICT',
  ILLEGAL_TRANSITION = 'CONTENT.ILLEGAL_TRANSITION',
  LOCKED = 'CONTENT.LOCKED',
  NOT_LOCK_HOLDER = 'CONTENT.NOT_LOCK_HOLDER',
  NOT_DELETED = 'CONTENT.NOT_DELETED',
}

export enum PublishingError {
  TARGET_NOT_FOUND = 'PUBLISHING.TARGET_NOT_FOUND',
  JOB_NOT_FOUND = 'PUBLISHING.JOB_NOT_FOUND',
  DEAD_LETTER_NOT_FOUND = 'PUBLISHING.DEAD_LETTER_NOT_FOUND',
  CONTENT_NOT_PUBLISHABLE = 'PUBLISHING.CONTENT_NOT_PUBLISHABLE',
  NOTHING_TO_RETRY = 'PUBLISHING.NOTHING_TO_RETRY',
  DESTINATION_REFUSED = 'PUBLISHING.DESTINATION_REFUSED',
}

export enum MediaError {
  ASSET_NOT_FOUND = 'MEDIA.ASSET_NOT_FOUND',
  TYPE_NOT_ALLOWED = 'MEDIA.TYPE_NOT_ALLOWED',
  TOO_LARGE = 'MEDIA.TOO_LARGE',
  NOT_UPLOADED = 'MEDIA.NOT_UPLOADED',
  VERIFICATION_FAILED = 'MEDIA.VERIFICATION_FAILED',
  INTENT_EXPIRED = 'MEDIA.INTENT_EXPIRED',
  WEBHOOK_SIGNATURE_INVALID = 'MEDIA.WEBHOOK_SIGNATURE_INVALID',
  STORAGE_UNAVAILABLE = 'MEDIA.STORAGE_UNAVAILABLE',
}

export enum NotificationsError {
  NOTIFICATION_NOT_FOUND = 'NOTIFICATIONS.NOTIFICATION_NOT_FOUND',
  DEVICE_NOT_FOUND = 'NOTIFICATIONS.DEVICE_NOT_FOUND',
  DEAD_LETTER_NOT_FOUND = 'NOTIFICATIONS.DEAD_LETTER_NOT_FOUND',
  /** A critical type must keep one channel. */
  CRITICAL_TYPE_NEEDS_A_CHANNEL = 'NOTIFICATIONS.CRITICAL_TYPE_NEEDS_A_CHANNEL',
  UNSUBSCRIBE_TOKEN_INVALID = 'NOTIFICATIONS.UNSUBSCRIBE_TOKEN_INVALID',
  WEBHOOK_SIGNATURE_INVALID = 'NOTIFICATIONS.WEBHOOK_SIGNATURE_INVALID',
}

export type ErrorCode =
  CommonError | ControlPlaneError | ContentError | PublishingError | MediaError | NotificationsError;

export interface FieldError {
  field: string;
  message: string;
}

/** What travels back over RPC when a handler fails. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  errors?: FieldError[];
  /** Extra members that belong in the problem body (e.g. `currentVersion`). */
  extras?: Record<string, unknown>;
}

/** RFC 9457 problem details, as the gateway answers them. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}
