/**
 * Clerk's publishable key, when the gateway runs with a Clerk instance
 * (CLERK_PUBLISHABLE_KEY: it puts the key in a meta tag of index.html). Null
 * with the local development key: the console's own sign-in page is used.
 */
export const CLERK_PUBLISHABLE_KEY: string | null =
  document.querySelector('meta[name="clerk-publishable-key"]')?.getAttribute('content') || null;
