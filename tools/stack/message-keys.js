// Ed25519 key pairs that sign RPCs and events, one per signer (the gateway
// and each service), in the two settings every process reads:
// MESSAGE_SIGNING_KEY (its own private key) and MESSAGE_TRUSTED_KEYS (every
// signer's public key). README § Trust boundaries.
'use strict';

const { generateKeyPairSync } = require('node:crypto');

/** A new key pair: `{ signingKey: '<kid>:<pkcs8>', publicKey: '<signer>:<kid>:<spki>' }`. */
function newMessageKey(signer, kid) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    signingKey: `${kid}:${privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}`,
    publicKey: `${signer}:${kid}:${publicKey.export({ format: 'der', type: 'spki' }).toString('base64')}`,
  };
}

/**
 * Keys for `signers`, reusing those `stored` holds (signer → key, as returned
 * before); returns every key and `env(signer)`, the two settings of one process.
 */
function messageKeyring(signers, stored = {}) {
  const keys = { ...stored };
  for (const signer of signers) if (!keys[signer]) keys[signer] = newMessageKey(signer, 'k1');
  const trusted = Object.values(keys)
    .map((key) => key.publicKey)
    .join(',');
  return {
    keys,
    env: (signer) => {
      if (!keys[signer]) throw new Error(`no message key for ${signer}`);
      return { MESSAGE_SIGNING_KEY: keys[signer].signingKey, MESSAGE_TRUSTED_KEYS: trusted };
    },
  };
}

module.exports = { newMessageKey, messageKeyring };
