/** The credential vault that seals and opens source secrets (SEO_ENCRYPTION_KEYS). */
export const CREDENTIAL_VAULT = Symbol('seo.credential-vault');
