// Private messages the relay cannot read or forge (docs/PROTOCOL.md, "End-to-end messages"; Java:
// protocol.e2e.EndToEnd): seal to the recipient's prekey with HPKE and sign with the sender's identity;
// open with the sender's pinned identity key and the recipient's prekeys.
//   info      = ascii("ciphergram e2e v1") ‖ u8 len ‖ sender ‖ u8 len ‖ recipient ‖ sender key id[8] ‖ u32 prekey id
//   aad       = message_id[16] ‖ u64 time_ms
//   signature = Ed25519(ascii("ciphergram e2e v1 signature") ‖ enc ‖ u32 len(ct) ‖ ct ‖ aad ‖ info)

import { concat, u32, u64, utf8 } from '../bytes.js';
import { HpkeOpenError, openBase, randomBytes, sealBase } from './hpke.js';
import { MAX_PLAINTEXT_LENGTH, MESSAGE_ID_LENGTH, nameBytes } from './codec.js';
import { Verdict } from './replay-cache.js';

export const INFO_LABEL = 'ciphergram e2e v1';
export const SIGNATURE_LABEL = 'ciphergram e2e v1 signature';

/** Why an envelope did not open; the same names as the Java side's EndToEnd.Failure. */
export const Failure = Object.freeze({
  NOT_FOR_US: 'NOT_FOR_US', BAD_SIGNATURE: 'BAD_SIGNATURE', REPLAYED: 'REPLAYED', OUT_OF_WINDOW: 'OUT_OF_WINDOW',
  UNKNOWN_PREKEY: 'UNKNOWN_PREKEY', UNDECRYPTABLE: 'UNDECRYPTABLE',
});

export class OpenFailure extends Error {
  constructor(failure) {
    super(failure);
    this.name = 'OpenFailure';
    this.failure = failure;
  }
}

export function info(senderName, recipientName, senderKey, recipientPrekeyId) {
  const sender = nameBytes(senderName);
  const recipient = nameBytes(recipientName);
  return concat(utf8(INFO_LABEL), Uint8Array.of(sender.length), sender, Uint8Array.of(recipient.length), recipient,
    senderKey.keyId, u32(recipientPrekeyId));
}

export function associatedData(messageId, timeMillis) {
  if (messageId.length !== MESSAGE_ID_LENGTH) {
    throw new TypeError('a message id is 16 bytes');
  }
  return concat(messageId, u64(timeMillis));
}

export function signedMessage(encapsulatedKey, ciphertext, aad, infoBytes) {
  return concat(utf8(SIGNATURE_LABEL), encapsulatedKey, u32(ciphertext.length), ciphertext, aad, infoBytes);
}

/** Whether a key bundle's prekey carries its identity's signature. */
export async function isSigned(bundle) {
  return bundle.prekey.verifiedBy(bundle.identity);
}

/**
 * Seals `plaintext` (bytes) from `senderName` (holding `sender`, an IdentityKeyPair) to `recipientName`'s
 * bundle. The message id (16 bytes) and then the ephemeral key (32) come from `random(n)`, in that order.
 * Throws a TypeError for a bundle that is not signed by its identity.
 */
export async function seal({ sender, senderName, recipientName, bundle, plaintext, now, random = randomBytes }) {
  if (!(await isSigned(bundle))) {
    throw new TypeError('the recipient\'s prekey is not signed by its identity key');
  }
  if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
    throw new TypeError(`an end-to-end message is at most ${MAX_PLAINTEXT_LENGTH} bytes`);
  }
  const recipientPrekeyId = bundle.prekey.id;
  const infoBytes = info(senderName, recipientName, sender.publicKey, recipientPrekeyId);
  const messageId = random(MESSAGE_ID_LENGTH);
  const aad = associatedData(messageId, now);
  const { enc, ciphertext } = await sealBase(bundle.prekey.publicKey, infoBytes, aad, plaintext, random);
  const signature = await sender.sign(signedMessage(enc, ciphertext, aad, infoBytes));
  return { sender: senderName, recipient: recipientName, recipientPrekeyId, messageId, timeMillis: now,
    encapsulatedKey: enc, ciphertext, signature };
}

function failIfNotFresh(verdict) {
  if (verdict === Verdict.REPLAYED) {
    throw new OpenFailure(Failure.REPLAYED);
  }
  if (verdict !== Verdict.FRESH) {
    throw new OpenFailure(Failure.OUT_OF_WINDOW);
  }
}

/**
 * Opens an envelope addressed to `recipientName`, from the sender whose identity key (`senderKey`, an
 * IdentityPublicKey) the caller pinned, with whichever of `prekeys` (PrekeyPairs) it was sealed to. The
 * order of checks is Java's: name, replay cache (looking), signature, prekey, decryption, then record.
 * Returns `{ sender, recipient, messageId, timeMillis, plaintext }`; throws an OpenFailure.
 */
export async function open({ envelope, recipientName, senderKey, prekeys, replays, now }) {
  if (envelope.recipient !== recipientName) {
    throw new OpenFailure(Failure.NOT_FOR_US);
  }
  failIfNotFresh(replays.check(envelope.messageId, envelope.timeMillis, now));
  const infoBytes = info(envelope.sender, envelope.recipient, senderKey, envelope.recipientPrekeyId);
  const aad = associatedData(envelope.messageId, envelope.timeMillis);
  if (!(await senderKey.verify(signedMessage(envelope.encapsulatedKey, envelope.ciphertext, aad, infoBytes), envelope.signature))) {
    throw new OpenFailure(Failure.BAD_SIGNATURE);
  }
  const prekey = prekeys.find((p) => p.id === envelope.recipientPrekeyId);
  if (!prekey) {
    throw new OpenFailure(Failure.UNKNOWN_PREKEY);
  }
  let plaintext;
  try {
    plaintext = await openBase(envelope.encapsulatedKey, prekey.recipient, infoBytes, aad, envelope.ciphertext);
  } catch (e) {
    if (e instanceof HpkeOpenError) {
      throw new OpenFailure(Failure.UNDECRYPTABLE);
    }
    throw e;
  }
  failIfNotFresh(replays.record(envelope.messageId, envelope.timeMillis, now));
  return { sender: envelope.sender, recipient: envelope.recipient, messageId: envelope.messageId.slice(),
    timeMillis: envelope.timeMillis, plaintext };
}
