/** The service's validated configuration. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
/** A general-purpose Redis connection of the service (commands; readiness; markers). */
export const SERVICE_REDIS = Symbol('SERVICE_REDIS');
