import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

import { messageKeyring, newMessageKey } from '@smartbeak/testing';

import { agreementPrivateKey, agreementPublicKey, MessageKeys, MessageRefused } from './signing';

const ED25519_PKCS8_HEAD = Buffer.from('302e020100300506032b657004220420', 'hex');
const rawX = (key: KeyObject) =>
  (key.type === 'public' ? key : createPublicKey(key))
    .export({ format: 'der', type: 'spki' })
    .subarray(-32)
    .toString('hex');

describe('X25519 twins of Ed25519 keys', () => {
  it("match libsodium's conversion of its test seed", () => {
    // libsodium test/default/ed25519_convert.c
    const seed = Buffer.from('421151a459faeade3d247115f94aedae42318124095afabe4d1451a559faedee', 'hex');
    const edPrivate = createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_HEAD, seed]),
      format: 'der',
      type: 'pkcs8',
    });
    expect(rawX(agreementPublicKey(createPublicKey(edPrivate)))).toBe(
      'f1814f0e8ff1043d8a44d25babff3cedcae6c22c3edaa48f857ae70de2baae50',
    );
    expect(rawX(agreementPrivateKey(edPrivate))).toBe(
      'f1814f0e8ff1043d8a44d25babff3cedcae6c22c3edaa48f857ae70de2baae50',
    );
  });

  it('agree: the public twin is the public key of the private twin, for any key', () => {
    for (let i = 0; i < 25; i++) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      expect(rawX(agreementPublicKey(publicKey))).toBe(rawX(agreementPrivateKey(privateKey)));
    }
  });
});

describe('pair MACs on RPC', () => {
  const ring = messageKeyring(['api-gateway', 'content', 'publishing']);
  const keysOf = (signer: string) =>
    MessageKeys.parse(signer, ring.env(signer).MESSAGE_SIGNING_KEY, ring.env(signer).MESSAGE_TRUSTED_KEYS);
  const gateway = keysOf('api-gateway');
  const content = keysOf('content');
  const publishing = keysOf('publishing');
  const refusal = (check: () => unknown) => {
    try {
      check();
    } catch (error) {
      if (error instanceof MessageRefused) return error.reason;
      throw error;
    }
    return 'accepted';
  };

  it('is checked by its receiver, and only there', () => {
    const seal = gateway.sealFor('content', 'p', 'bytes');
    expect(seal).toMatchObject({ signer: 'api-gateway', to: expect.stringMatching(/^content\//) });
    expect(refusal(() => content.check('rpc', 'p', 'bytes', seal))).toBe('accepted');
    // Altered bytes or purpose, or the same MAC shown to another service.
    expect(refusal(() => content.check('rpc', 'p', 'bytes!', seal))).toBe('bad-signature');
    expect(refusal(() => content.check('rpc', 'q', 'bytes', seal))).toBe('bad-signature');
    expect(refusal(() => publishing.check('rpc', 'p', 'bytes', seal))).toBe('bad-signature');
    // Events are signed, never MACed.
    expect(refusal(() => content.check('event', 'p', 'bytes', seal))).toBe('bad-signature');
  });

  it('cannot be made by a third process, nor turned around by the receiver', () => {
    // Publishing holds its own pair key with content, not the gateway's.
    const forged = { ...publishing.sealFor('content', 'p', 'bytes'), signer: 'api-gateway', kid: 'k1' };
    expect(refusal(() => content.check('rpc', 'p', 'bytes', forged))).toBe('bad-signature');
    // Content shares the pair key with the gateway, but a MAC says which way it goes.
    const back = content.sealFor('api-gateway', 'p', 'bytes');
    const turned = { signer: 'api-gateway', kid: 'k1', sig: back.sig, to: 'content/k1' };
    expect(refusal(() => content.check('rpc', 'p', 'bytes', turned))).toBe('bad-signature');
    expect(refusal(() => content.check('rpc', 'p', 'bytes', { ...forged, signer: 'stranger' }))).toBe(
      'unknown-signer',
    );
  });

  it('is a signature while the receiver has two keys (it is rotating, which one it holds is unknown)', () => {
    const trusted = `${ring.env('api-gateway').MESSAGE_TRUSTED_KEYS},${newMessageKey('content', 'k2').publicKey}`;
    const rotating = MessageKeys.parse('api-gateway', ring.env('api-gateway').MESSAGE_SIGNING_KEY, trusted);
    const seal = rotating.sealFor('content', 'p', 'bytes');
    expect(seal.to).toBeUndefined();
    expect(refusal(() => content.check('rpc', 'p', 'bytes', seal))).toBe('accepted');
  });

  it('refuses at start a trusted key no pair key can be made with (a low-order point)', () => {
    const spki = (y: string) =>
      Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(y, 'hex')]).toString(
        'base64',
      );
    const identity = `01${'00'.repeat(31)}`; // y = 1
    const orderTwo = `ec${'ff'.repeat(30)}7f`; // y = p − 1
    for (const y of [identity, orderTwo]) {
      const trusted = `${ring.env('content').MESSAGE_TRUSTED_KEYS},stranger:k1:${spki(y)}`;
      expect(() => MessageKeys.parse('content', ring.env('content').MESSAGE_SIGNING_KEY, trusted)).toThrow(
        /stranger:k1 cannot make a pair key/,
      );
    }
  });
});
