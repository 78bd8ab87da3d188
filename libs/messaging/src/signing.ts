import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  type KeyObject,
  sign as edSign,
  timingSafeEqual,
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
  /** An Ed25519 signature; with `to`, an HMAC-SHA256 under the sender's and receiver's pair key. */
  sig: string;
  /** `<receiver>/<kid>`: the one process key this seal is for (a pair MAC, see `sealFor`). */
  to?: string;
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
  /** Pair MAC keys by the other side's `<signer>/<kid>`, one per trusted key (see `sealFor`). */
  private readonly pairKeys = new Map<string, Buffer>();
  /** Each trusted signer's key ids. */
  private readonly kidsOf = new Map<string, string[]>();

  private constructor(
    readonly signer: string,
    private readonly kid: string,
    private readonly privateKey: KeyObject,
    private readonly trusted: ReadonlyMap<string, KeyObject>,
  ) {
    // Worked out at start, so that a trusted key unfit for agreement stops the process, not a request.
    const agreementKey = agreementPrivateKey(privateKey);
    const own = `${signer}/${kid}`;
    for (const [id, key] of trusted) {
      const [who, keyId] = splitOnce(id, '/');
      this.kidsOf.set(who, [...(this.kidsOf.get(who) ?? []), keyId]);
      let shared: Buffer;
      try {
        shared = diffieHellman({ privateKey: agreementKey, publicKey: agreementPublicKey(key) });
      } catch (error) {
        throw new Error(
          `MESSAGE_TRUSTED_KEYS: ${who}:${keyId} cannot make a pair key (${(error as Error).message})`,
        );
      }
      // Both sides name the pair the same way: its two keys in sorted order.
      const pair = [own, id].sort().join('+');
      this.pairKeys.set(
        id,
        Buffer.from(hkdfSync('sha256', shared, '', `smartbeak.pair-mac.v1\n${pair}`, 32)),
      );
    }
  }

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

  /**
   * Seals a message for one receiver. When the receiver has a single
   * trusted key, the seal is an HMAC-SHA256 under the pair key of the
   * sender's and the receiver's keys (X25519 agreement of their Ed25519
   * keys' twins, then HKDF): only those two processes can make it, as only
   * the sender can make a signature, at ~2 µs instead of ~40 µs to sign and
   * ~110 µs to verify. While the receiver's key rotates (two key ids
   * trusted), which one it holds is unknown, so the seal is a signature.
   */
  sealFor(receiver: string, purpose: string, bytes: string): Seal {
    const kids = this.kidsOf.get(receiver);
    const to = `${receiver}/${kids?.[0]}`;
    const key = kids?.length === 1 ? this.pairKeys.get(to) : undefined;
    if (!key) return this.seal(purpose, bytes);
    const sig = mac(key, macInput(purpose, `${this.signer}/${this.kid}`, to, bytes));
    return { signer: this.signer, kid: this.kid, sig, to };
  }

  /** Checks a seal; the refusal names what was wrong. Pair MACs pass only for RPC, and only addressed to this key. */
  check(kind: 'rpc' | 'event', purpose: string, bytes: string, seal: Partial<Seal> | undefined): Seal {
    if (
      !seal ||
      typeof seal.signer !== 'string' ||
      typeof seal.kid !== 'string' ||
      typeof seal.sig !== 'string'
    ) {
      refuse(kind, 'unsigned', 'the message carries no signature');
    }
    const outcome =
      seal.to === undefined
        ? this.verify(seal.signer, seal.kid, purpose, bytes, seal.sig)
        : this.verifyMac(kind, seal as Seal, purpose, bytes);
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

  private verifyMac(
    kind: 'rpc' | 'event',
    seal: Seal,
    purpose: string,
    bytes: string,
  ): 'ok' | 'unknown-key' | 'bad' {
    const from = `${seal.signer}/${seal.kid}`;
    const key = this.pairKeys.get(from);
    if (!key) return 'unknown-key';
    if (kind !== 'rpc' || seal.to !== `${this.signer}/${this.kid}`) return 'bad';
    const expected = Buffer.from(mac(key, macInput(purpose, from, seal.to, bytes)), 'base64');
    const given = Buffer.from(seal.sig, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'bad';
  }
}

function mac(key: Buffer, input: string): string {
  return createHmac('sha256', key).update(input).digest('base64');
}

/** What a pair MAC covers: its purpose, its direction (from → to) and the bytes. */
function macInput(purpose: string, from: string, to: string, bytes: string): string {
  return `${purpose}\n${from}>${to}\n${bytes}`;
}

// PKCS#8 DER of an X25519 private key, before its 32 bytes (RFC 8410).
const X25519_PKCS8_HEAD = Buffer.from('302e020100300506032b656e04220420', 'hex');
const FIELD = 2n ** 255n - 19n;

/**
 * The X25519 twin of an Ed25519 private key: the first half of SHA-512 of
 * its seed, which is the scalar Ed25519 signs with (X25519 clamps it the
 * same way) — as libsodium's crypto_sign_ed25519_sk_to_curve25519.
 */
export function agreementPrivateKey(edPrivate: KeyObject): KeyObject {
  const seed = edPrivate.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
  const scalar = createHash('sha512').update(seed).digest().subarray(0, 32);
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8_HEAD, scalar]), format: 'der', type: 'pkcs8' });
}

/**
 * The X25519 twin of an Ed25519 public key: the Montgomery u = (1 + y) / (1 − y)
 * of its Edwards point — as libsodium's crypto_sign_ed25519_pk_to_curve25519.
 */
export function agreementPublicKey(edPublic: KeyObject): KeyObject {
  const encoded = Buffer.from(edPublic.export({ format: 'der', type: 'spki' }).subarray(-32)).reverse();
  encoded.writeUInt8(encoded.readUInt8(0) & 0x7f, 0); // drop the sign of x
  const y = BigInt(`0x${encoded.toString('hex')}`);
  if (y >= FIELD || y === 1n) throw new Error('Not a usable Ed25519 public key');
  const u = ((1n + y) * power((1n - y + FIELD) % FIELD, FIELD - 2n)) % FIELD;
  const x = Buffer.from(u.toString(16).padStart(64, '0'), 'hex').reverse().toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
}

function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  for (let b = base % FIELD, e = exponent; e > 0n; e >>= 1n, b = (b * b) % FIELD) {
    if (e & 1n) result = (result * b) % FIELD;
  }
  return result;
}

function splitOnce(value: string, separator: string): [string, string] {
  const at = value.indexOf(separator);
  return at === -1 ? [value, ''] : [value.slice(0, at), value.slice(at + 1)];
}

export function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}
