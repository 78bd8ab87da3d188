/** Injection tokens of the notifications service. */
export const LINK_TOKENS = Symbol('LINK_TOKENS');
export const CHANNEL_SENDERS = Symbol('CHANNEL_SENDERS');
export const OPERATOR_PAGER = Symbol('OPERATOR_PAGER');
