export const CREDENTIAL_VAULT = Symbol('CREDENTIAL_VAULT');
export const ADAPTERS = Symbol('ADAPTERS');
