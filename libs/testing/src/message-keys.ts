import { join } from 'node:path';

import { WORKSPACE_ROOT } from './processes';

export interface MessageKey {
  /** `<kid>:<base64 PKCS#8 DER>` */
  signingKey: string;
  /** `<signer>:<kid>:<base64 SPKI DER>` */
  publicKey: string;
}

export interface MessageKeyring {
  keys: Record<string, MessageKey>;
  /** MESSAGE_SIGNING_KEY and MESSAGE_TRUSTED_KEYS of one signer's processes. */
  env(signer: string): { MESSAGE_SIGNING_KEY: string; MESSAGE_TRUSTED_KEYS: string };
}

// The local stack's own generator (tools/stack/message-keys.js): tests sign exactly as it does.
const generator = require(join(WORKSPACE_ROOT, 'tools/stack/message-keys.js')) as {
  newMessageKey(signer: string, kid: string): MessageKey;
  messageKeyring(signers: string[], stored?: Record<string, MessageKey>): MessageKeyring;
};

/** Fresh Ed25519 keys for `signers` (e.g. `api-gateway`, `content`), each trusting all. */
export function messageKeyring(signers: string[], stored?: Record<string, MessageKey>): MessageKeyring {
  return generator.messageKeyring(signers, stored);
}

export function newMessageKey(signer: string, kid: string): MessageKey {
  return generator.newMessageKey(signer, kid);
}
