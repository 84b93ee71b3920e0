// The end-to-end structures ⇄ bytes (docs/PROTOCOL.md, "End-to-end messages"; Java: protocol.e2e.E2eCodec):
// the envelope, the key bundle and the KeyOffer's identity extension. Strict: every length within its
// bound, names in UTF-8, not one byte more or less; anything else throws an E2eFormatError naming the field.

import { Reader, Writer, fromUtf8, u64, utf8 } from '../bytes.js';
import { ENCAPSULATED_KEY_LENGTH, TAG_LENGTH } from './hpke.js';
import { IDENTITY_KEY_LENGTH, IdentityPublicKey, PREKEY_PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, SignedPrekey } from './keys.js';

export const ENVELOPE_VERSION = 1;
export const KEY_BUNDLE_VERSION = 1;
export const MESSAGE_ID_LENGTH = 16;
export const MAX_NAME_BYTES = 128;
/** 63 KiB: a whole envelope (at most 64,915 bytes) fits one v2 message with room for its frame. */
export const MAX_PLAINTEXT_LENGTH = 64_512;
export const ENVELOPE_OVERHEAD = 1 + 1 + 1 + 4 + MESSAGE_ID_LENGTH + 8 + ENCAPSULATED_KEY_LENGTH + 4 + TAG_LENGTH
  + SIGNATURE_LENGTH;
export const MAX_ENVELOPE_LENGTH = ENVELOPE_OVERHEAD + 2 * MAX_NAME_BYTES + MAX_PLAINTEXT_LENGTH;
export const KEY_BUNDLE_LENGTH = 1 + IDENTITY_KEY_LENGTH + 4 + 8 + PREKEY_PUBLIC_KEY_LENGTH + SIGNATURE_LENGTH;
export const IDENTITY_EXTENSION_TYPE = 0x01;
export const IDENTITY_EXTENSION_BODY_LENGTH = IDENTITY_KEY_LENGTH + SIGNATURE_LENGTH;
export const IDENTITY_EXTENSION_LENGTH = 2 + IDENTITY_EXTENSION_BODY_LENGTH;

export class E2eFormatError extends Error {
  constructor(problem) {
    super(problem);
    this.name = 'E2eFormatError';
  }
}

/** A name's UTF-8 bytes, 1 to 128 of them. */
export function nameBytes(name) {
  const bytes = utf8(name);
  if (bytes.length === 0 || bytes.length > MAX_NAME_BYTES) {
    throw new TypeError(`a name is 1 to ${MAX_NAME_BYTES} bytes of UTF-8`);
  }
  return bytes;
}

function requireLength(bytes, length, field) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new TypeError(`the ${field} is ${length} bytes`);
  }
}

/** `{ sender, recipient, recipientPrekeyId, messageId, timeMillis, encapsulatedKey, ciphertext, signature }` → bytes. */
export function encodeEnvelope(envelope) {
  const sender = nameBytes(envelope.sender);
  const recipient = nameBytes(envelope.recipient);
  const { ciphertext } = envelope;
  if (ciphertext.length < TAG_LENGTH || ciphertext.length > MAX_PLAINTEXT_LENGTH + TAG_LENGTH) {
    throw new TypeError('an envelope\'s ciphertext is out of bounds');
  }
  requireLength(envelope.messageId, MESSAGE_ID_LENGTH, 'message id');
  requireLength(envelope.encapsulatedKey, ENCAPSULATED_KEY_LENGTH, 'encapsulated key');
  requireLength(envelope.signature, SIGNATURE_LENGTH, 'signature');
  return new Writer(ENVELOPE_OVERHEAD + sender.length + recipient.length + ciphertext.length - TAG_LENGTH)
    .u8(ENVELOPE_VERSION)
    .u8(sender.length).put(sender)
    .u8(recipient.length).put(recipient)
    .u32(envelope.recipientPrekeyId)
    .put(envelope.messageId)
    .put(u64(envelope.timeMillis))
    .put(envelope.encapsulatedKey)
    .u32(ciphertext.length).put(ciphertext)
    .put(envelope.signature)
    .written();
}

function readName(input, field) {
  const length = input.u8();
  if (length === 0 || length > MAX_NAME_BYTES) {
    throw new E2eFormatError(`${field} name length out of bounds`);
  }
  try {
    return fromUtf8(input.bytes(length));
  } catch (e) {
    if (e instanceof RangeError) {
      throw e;
    }
    throw new E2eFormatError(`${field} name is not UTF-8`);
  }
}

function truncatedAs(what, decodeBody) {
  try {
    return decodeBody();
  } catch (e) {
    if (e instanceof RangeError) {
      throw new E2eFormatError(`${what} truncated`);
    }
    throw e;
  }
}

export function decodeEnvelope(bytes) {
  if (bytes.length > MAX_ENVELOPE_LENGTH) {
    throw new E2eFormatError(`an envelope is at most ${MAX_ENVELOPE_LENGTH} bytes`);
  }
  return truncatedAs('envelope', () => {
    const input = new Reader(bytes);
    if (input.u8() !== ENVELOPE_VERSION) {
      throw new E2eFormatError('unknown envelope version');
    }
    const sender = readName(input, 'sender');
    const recipient = readName(input, 'recipient');
    const recipientPrekeyId = input.u32();
    const messageId = input.bytes(MESSAGE_ID_LENGTH);
    const timeMillis = input.u64();
    const encapsulatedKey = input.bytes(ENCAPSULATED_KEY_LENGTH);
    const ciphertextLength = input.u32();
    if (ciphertextLength < TAG_LENGTH || ciphertextLength > MAX_PLAINTEXT_LENGTH + TAG_LENGTH) {
      throw new E2eFormatError('ciphertext_len out of bounds');
    }
    const ciphertext = input.bytes(ciphertextLength);
    const signature = input.bytes(SIGNATURE_LENGTH);
    if (input.remaining > 0) {
      throw new E2eFormatError('bytes after the envelope');
    }
    return { sender, recipient, recipientPrekeyId, messageId, timeMillis, encapsulatedKey, ciphertext, signature };
  });
}

/** `{ identity: IdentityPublicKey, prekey: SignedPrekey }` → 141 bytes. */
export function encodeKeyBundle(bundle) {
  const { prekey } = bundle;
  return new Writer(KEY_BUNDLE_LENGTH)
    .u8(KEY_BUNDLE_VERSION)
    .put(bundle.identity.bytes)
    .u32(prekey.id)
    .put(u64(prekey.createdMillis))
    .put(prekey.publicKey)
    .put(prekey.signature)
    .written();
}

async function readIdentityKey(input) {
  try {
    return await IdentityPublicKey.of(input.bytes(IDENTITY_KEY_LENGTH));
  } catch (e) {
    if (e instanceof RangeError) {
      throw e;
    }
    throw new E2eFormatError('identity key is not a usable Ed25519 key');
  }
}

/** A bundle's form only: `isSigned(bundle)` (envelope.js) checks its signature. */
export async function decodeKeyBundle(bytes) {
  if (bytes.length !== KEY_BUNDLE_LENGTH) {
    throw new E2eFormatError(`a key bundle is ${KEY_BUNDLE_LENGTH} bytes`);
  }
  const input = new Reader(bytes);
  if (input.u8() !== KEY_BUNDLE_VERSION) {
    throw new E2eFormatError('unknown key bundle version');
  }
  const identity = await readIdentityKey(input);
  const id = input.u32();
  const createdMillis = input.u64();
  const publicKey = input.bytes(PREKEY_PUBLIC_KEY_LENGTH);
  const signature = input.bytes(SIGNATURE_LENGTH);
  return { identity, prekey: new SignedPrekey(id, createdMillis, publicKey, signature) };
}

/** `{ identity: IdentityPublicKey, signature }` → the 98 bytes a KeyOffer carries after the name. */
export function encodeIdentityExtension(extension) {
  requireLength(extension.signature, SIGNATURE_LENGTH, 'signature');
  return new Writer(IDENTITY_EXTENSION_LENGTH)
    .u8(IDENTITY_EXTENSION_TYPE)
    .u8(IDENTITY_EXTENSION_BODY_LENGTH)
    .put(extension.identity.bytes)
    .put(extension.signature)
    .written();
}

/** The identity extension at `offset` of a KeyOffer; the caller checks the zero padding after it. */
export async function decodeIdentityExtension(keyOffer, offset) {
  if (offset < 0 || offset > keyOffer.length || keyOffer.length - offset < IDENTITY_EXTENSION_LENGTH) {
    throw new E2eFormatError('identity extension truncated');
  }
  const input = new Reader(keyOffer.subarray(offset, offset + IDENTITY_EXTENSION_LENGTH));
  if (input.u8() !== IDENTITY_EXTENSION_TYPE) {
    throw new E2eFormatError('not an identity extension');
  }
  if (input.u8() !== IDENTITY_EXTENSION_BODY_LENGTH) {
    throw new E2eFormatError(`an identity extension's length is ${IDENTITY_EXTENSION_BODY_LENGTH}`);
  }
  const identity = await readIdentityKey(input);
  return { identity, signature: input.bytes(SIGNATURE_LENGTH) };
}
