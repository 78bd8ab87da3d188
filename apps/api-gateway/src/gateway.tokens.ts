/** DI tokens of the gateway's own singletons. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
export const GATEWAY_REDIS = Symbol('GATEWAY_REDIS');
/** The development session signer (only with DEV_SESSION_KEY). */
export const DEV_SESSION_SIGNER = Symbol('DEV_SESSION_SIGNER');
