// Outer v2 frames ⇄ datagrams (docs/PROTOCOL.md, "Outer frames"; Java: V2Codec). Strict: every length
// is bounded before use and nothing but the one canonical encoding decodes, so a datagram is exactly
// one frame or nothing.

import { Reader, Writer, concat, fromUtf8, u64, utf8 } from './bytes.js';
import {
  COOKIE_LENGTH, LABEL_HANDSHAKE, MAX_DATAGRAM, MAX_KEY_BYTES, MAX_NAME_BYTES,
  NONCE_LENGTH, PADDED_LENGTH, SESSION_ID_LENGTH, AEAD_TAG_LENGTH,
} from './constants.js';
import { decodeExtensions } from './key-offer-extensions.js';

const MAGIC = 0xff;
const VERSION = 0x02;
const HELLO = 0x01;
const RETRY = 0x02;
const KEY_OFFER = 0x03;
const KEY_REPLY = 0x04;
const DATA = 0x05;

/** A datagram that is dropped; `reason` is the drop reason the document names (e.g. `malformed_frame`). */
export class FrameError extends Error {
  constructor(reason) {
    super(reason);
    this.name = 'FrameError';
    this.reason = reason;
  }
}

/** "Negotiation": a v2 datagram starts FF 02 and has a type byte. */
export function isV2(datagram) {
  return datagram.length >= 3 && datagram[0] === MAGIC && datagram[1] === VERSION;
}

/**
 * One datagram to one frame: `{ type: 'hello' | 'retry' | 'keyOffer' | 'keyReply' | 'data', ... }`.
 * Throws FrameError('oversize') over 1200 bytes and FrameError('malformed_frame') for anything else
 * that does not decode exactly.
 */
export function decode(datagram) {
  if (datagram.length > MAX_DATAGRAM) {
    throw new FrameError('oversize');
  }
  if (!isV2(datagram)) {
    throw new FrameError('malformed_frame');
  }
  const type = datagram[2];
  const input = new Reader(datagram, 3);
  let frame;
  try {
    frame = decodeBody(type, input);
  } catch (e) {
    if (e instanceof FrameError) {
      throw e;
    }
    throw new FrameError('malformed_frame'); // truncated, or a name that is not UTF-8
  }
  const padded = type === HELLO || type === KEY_OFFER;
  while (input.remaining > 0) {
    if (!padded || input.u8() !== 0) {
      throw new FrameError('malformed_frame');
    }
  }
  if (padded && datagram.length !== PADDED_LENGTH) {
    throw new FrameError('malformed_frame');
  }
  return frame;
}

function decodeBody(type, input) {
  switch (type) {
    case HELLO:
      return { type: 'hello', clientNonce: input.bytes(NONCE_LENGTH) };
    case RETRY:
      return { type: 'retry', clientNonce: input.bytes(NONCE_LENGTH), cookie: input.bytes(COOKIE_LENGTH) };
    case KEY_OFFER: {
      const frame = {
        type: 'keyOffer',
        cookie: input.bytes(COOKIE_LENGTH),
        clientNonce: input.bytes(NONCE_LENGTH),
        clientPublicKey: input.bytes(bounded(input.u16(), MAX_KEY_BYTES)),
        name: fromUtf8(input.bytes(bounded(input.u8(), MAX_NAME_BYTES))),
      };
      // the extensions, then the padding (checked by the caller from where they end)
      const tail = input.rest();
      const extensions = decodeExtensions(tail);
      if (!tail.subarray(extensions.length).every((b) => b === 0)) {
        throw new FrameError('malformed_frame');
      }
      if (extensions.length > 0) {
        frame.extensions = extensions; // absent when it carries none, as before extensions
      }
      return frame;
    }
    case KEY_REPLY:
      return {
        type: 'keyReply',
        serverNonce: input.bytes(NONCE_LENGTH),
        sessionId: input.bytes(SESSION_ID_LENGTH),
        serverIdentityKey: input.bytes(bounded(input.u16(), MAX_KEY_BYTES)),
        wrappedSecret: input.bytes(bounded(input.u16(), MAX_KEY_BYTES)),
        limits: {
          messagesPerSecond: input.u16(),
          burst: input.u16(),
          maxMessageBytes: input.u32(),
          idleTimeoutSeconds: input.u16(),
          keepaliveSeconds: input.u16(),
        },
        signature: input.bytes(bounded(input.u16(), MAX_KEY_BYTES)),
      };
    case DATA: {
      const frame = {
        type: 'data',
        sessionId: input.bytes(SESSION_ID_LENGTH),
        keyPhase: input.u8(),
        sequence: input.u64(),
        ciphertext: input.rest(),
      };
      if (frame.ciphertext.length < AEAD_TAG_LENGTH) {
        throw new FrameError('malformed_frame'); // "fewer than 16 bytes after the header is malformed"
      }
      return frame;
    }
    default:
      throw new FrameError('malformed_frame');
  }
}

function bounded(length, max) {
  if (length > max) {
    throw new FrameError('malformed_frame');
  }
  return length;
}

/** One frame to its datagram; throws a TypeError for a field of the wrong size (a caller bug). */
export function encode(frame) {
  const out = new Writer(MAX_DATAGRAM);
  switch (frame.type) {
    case 'hello':
      header(out, HELLO).put(exactly(frame.clientNonce, NONCE_LENGTH));
      return padded(out);
    case 'retry':
      header(out, RETRY).put(exactly(frame.clientNonce, NONCE_LENGTH)).put(exactly(frame.cookie, COOKIE_LENGTH));
      return out.written();
    case 'keyOffer': {
      const name = utf8(frame.name);
      if (name.length > MAX_NAME_BYTES) {
        throw new TypeError('name too long');
      }
      header(out, KEY_OFFER).put(exactly(frame.cookie, COOKIE_LENGTH)).put(exactly(frame.clientNonce, NONCE_LENGTH))
        .u16(atMost(frame.clientPublicKey, MAX_KEY_BYTES).length).put(frame.clientPublicKey)
        .u8(name.length).put(name);
      if (frame.extensions !== undefined && frame.extensions.length > 0) {
        // "KeyOffer extensions": after the name, before the padding; the caller made them (key-offer-extensions.js)
        if (frame.extensions[0] === 0) {
          throw new TypeError('an extension type is nonzero');
        }
        out.put(frame.extensions);
      }
      return padded(out);
    }
    case 'keyReply':
      signedPartInto(header(out, KEY_REPLY), frame);
      out.u16(atMost(frame.signature, MAX_KEY_BYTES).length).put(frame.signature);
      return out.written();
    case 'data':
      return concat(dataHeader(frame.sessionId, frame.keyPhase, frame.sequence), frame.ciphertext);
    default:
      throw new TypeError(`unknown frame type ${frame.type}`);
  }
}

/** "Everything before sig_len is the KeyReply's signed part" (V2Codec.signedPart). */
export function signedPart(reply) {
  const out = new Writer(MAX_DATAGRAM);
  signedPartInto(header(out, KEY_REPLY), reply);
  return out.written();
}

function signedPartInto(out, r) {
  const l = r.limits;
  out.put(exactly(r.serverNonce, NONCE_LENGTH)).put(exactly(r.sessionId, SESSION_ID_LENGTH))
    .u16(atMost(r.serverIdentityKey, MAX_KEY_BYTES).length).put(r.serverIdentityKey)
    .u16(atMost(r.wrappedSecret, MAX_KEY_BYTES).length).put(r.wrappedSecret)
    .u16(fits(l.messagesPerSecond, 0xffff)).u16(fits(l.burst, 0xffff)).u32(fits(l.maxMessageBytes, 0xffff_ffff))
    .u16(fits(l.idleTimeoutSeconds, 0xffff)).u16(fits(l.keepaliveSeconds, 0xffff));
}

/** A limit that does not fit its field is refused, never silently truncated. */
function fits(value, max) {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new TypeError(`a limit of ${value} does not fit its field`);
  }
  return value;
}

/**
 * The 20 bytes before a Data frame's ciphertext, FF 02 05 ‖ session_id ‖ key_phase ‖ sequence: the AEAD's
 * associated data ("Record protection").
 */
export function dataHeader(sessionId, keyPhase, sequence) {
  return concat(Uint8Array.of(MAGIC, VERSION, DATA), exactly(sessionId, SESSION_ID_LENGTH),
    Uint8Array.of(keyPhase & 0xff), u64(sequence));
}

/**
 * "Transcript hash and signature": SHA-256 of the label, the KeyOffer exactly as sent (1200 bytes, padding
 * included) and the KeyReply's signed part.
 */
export async function transcriptHash(keyOfferDatagram, reply, subtle = globalThis.crypto.subtle) {
  const input = concat(utf8(LABEL_HANDSHAKE), keyOfferDatagram, signedPart(reply));
  return new Uint8Array(await subtle.digest('SHA-256', input));
}

function header(out, type) {
  return out.u8(MAGIC).u8(VERSION).u8(type);
}

function padded(out) {
  const bytes = new Uint8Array(PADDED_LENGTH);
  bytes.set(out.written());
  return bytes;
}

function exactly(bytes, length) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new TypeError(`expected ${length} bytes`);
  }
  return bytes;
}

function atMost(bytes, max) {
  if (!(bytes instanceof Uint8Array) || bytes.length > max) {
    throw new TypeError(`expected at most ${max} bytes`);
  }
  return bytes;
}
