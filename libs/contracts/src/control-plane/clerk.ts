/**
 * A Clerk webhook event after the gateway has checked its Svix signature.
 * `data` is Clerk's object (user, organization or membership) as sent.
 */
export interface ClerkWebhookMessage {
  /** The Svix message id: the idempotency key for applying the event once. */
  svixId: string;
  type: string;
  data: Record<string, unknown>;
  timestamp: number;
}

export const CLERK_EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.deleted',
  'organization.created',
  'organization.updated',
  'organization.deleted',
  'organizationMembership.created',
  'organizationMembership.updated',
  'organizationMembership.deleted',
] as const;
