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
