import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as edSign,
  verify as edVerify,
} from 'node:crypto';

import { messagesRefused } from '@smartbeak/observability';

/** Why a receiver refused a message before any handler saw it. */
export type Refusal =
  | 'malformed'
  | 'unsigned'
  | 'unknown-signer'
  | 'bad-signature'
  | 'context-missing'
  | 'context-not-from-gateway'
  | 'context-bad-signature'
  | 'context-expired'
  | 'not-granted'
  | 'not-owner';

export class MessageRefused extends Error {
  constructor(
    readonly reason: Refusal,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

/** Counts and rethrows: every refusal shows in `smartbeak_messages_refused_total`. */
export function refuse(kind: 'rpc' | 'event', reason: Refusal, detail: string): never {
  messagesRefused.inc({ kind, reason });
  throw new MessageRefused(reason, detail);
}

/** What travels beside a signed message: who signed it, with which key, and the signature. */
export interface Seal {
  signer: string;
  kid: string;
  sig: string;
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,40}$/;
const SIGNER = /^[a-z0-9-]{1,40}$/;

/**
 * A process's own Ed25519 key and the public keys of every signer it
 * accepts (each signer may have several key ids at once: that is how keys
 * rotate — publish the new public key, switch the signer, drop the old).
 *
 * - `signingKey`: `<kid>:<base64 PKCS#8 DER>` (MESSAGE_SIGNING_KEY)
 * - `trustedKeys`: `<signer>:<kid>:<base64 SPKI DER>`, comma-separated (MESSAGE_TRUSTED_KEYS)
 */
export class MessageKeys {
  private constructor(
    readonly signer: string,
    private readonly kid: string,
    private readonly privateKey: KeyObject,
    private readonly trusted: ReadonlyMap<string, KeyObject>,
  ) {}

  static parse(signer: string, signingKey: string | undefined, trustedKeys: string | undefined): MessageKeys {
    if (!SIGNER.test(signer)) throw new Error(`Not a signer name: ${signer}`);
    if (!signingKey || !trustedKeys) {
      throw new Error(
        'MESSAGE_SIGNING_KEY and MESSAGE_TRUSTED_KEYS are required: every RPC and event is signed (README § Trust boundaries)',
      );
    }
    const [kid, der] = splitOnce(signingKey.trim(), ':');
    if (!KEY_ID.test(kid) || !der) throw new Error('MESSAGE_SIGNING_KEY must be <kid>:<base64 PKCS#8 DER>');
    const privateKey = createPrivateKey({ key: Buffer.from(der, 'base64'), format: 'der', type: 'pkcs8' });
    if (privateKey.asymmetricKeyType !== 'ed25519')
      throw new Error('MESSAGE_SIGNING_KEY must be an Ed25519 key');
    const trusted = new Map<string, KeyObject>();
    for (const entry of trustedKeys
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      const [who, rest] = splitOnce(entry, ':');
      const [keyId, spki] = splitOnce(rest, ':');
      if (!SIGNER.test(who) || !KEY_ID.test(keyId) || !spki) {
        throw new Error(
          `MESSAGE_TRUSTED_KEYS: "${entry.slice(0, 40)}…" is not <signer>:<kid>:<base64 SPKI DER>`,
        );
      }
      const key = createPublicKey({ key: Buffer.from(spki, 'base64'), format: 'der', type: 'spki' });
      if (key.asymmetricKeyType !== 'ed25519')
        throw new Error(`MESSAGE_TRUSTED_KEYS: ${who}:${keyId} is not Ed25519`);
      trusted.set(`${who}/${keyId}`, key);
    }
    // A process must be able to read what it signs (its own replies to itself, its relay's events).
    const own = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    const listed = trusted.get(`${signer}/${kid}`);
    if (!listed || !Buffer.from(listed.export({ format: 'der', type: 'spki' })).equals(Buffer.from(own))) {
      throw new Error(`MESSAGE_TRUSTED_KEYS must list this process's own public key as ${signer}:${kid}`);
    }
    return new MessageKeys(signer, kid, privateKey, trusted);
  }

  /** Signs `purpose` + bytes. The purpose keeps a signature of one kind from passing as another. */
  seal(purpose: string, bytes: string): Seal {
    const sig = edSign(null, Buffer.from(`${purpose}\n${bytes}`), this.privateKey).toString('base64');
    return { signer: this.signer, kid: this.kid, sig };
  }

  /** Checks a seal; the refusal names what was wrong. */
  check(kind: 'rpc' | 'event', purpose: string, bytes: string, seal: Partial<Seal> | undefined): Seal {
    if (
      !seal ||
      typeof seal.signer !== 'string' ||
      typeof seal.kid !== 'string' ||
      typeof seal.sig !== 'string'
    ) {
      refuse(kind, 'unsigned', 'the message carries no signature');
    }
    const outcome = this.verify(seal.signer, seal.kid, purpose, bytes, seal.sig);
    if (outcome === 'unknown-key') refuse(kind, 'unknown-signer', `no key ${seal.signer}/${seal.kid}`);
    if (outcome === 'bad')
      refuse(kind, 'bad-signature', `signature of ${seal.signer}/${seal.kid} does not match`);
    return seal as Seal;
  }

  /** Whether a key of `signer` with this id is trusted (passports name their key id). */
  knows(signer: string, kid: string): boolean {
    return this.trusted.has(`${signer}/${kid}`);
  }

  verify(
    signer: string,
    kid: string,
    purpose: string,
    bytes: string,
    sig: string,
  ): 'ok' | 'unknown-key' | 'bad' {
    const key = this.trusted.get(`${signer}/${kid}`);
    if (!key) return 'unknown-key';
    const signature = Buffer.from(sig, 'base64');
    if (signature.length !== 64) return 'bad';
    return edVerify(null, Buffer.from(`${purpose}\n${bytes}`), key, signature) ? 'ok' : 'bad';
  }
}

function splitOnce(value: string, separator: string): [string, string] {
  const at = value.indexOf(separator);
  return at === -1 ? [value, ''] : [value.slice(0, at), value.slice(at + 1)];
}

export function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}
