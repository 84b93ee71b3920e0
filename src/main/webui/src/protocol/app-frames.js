// App frames (docs/PROTOCOL.md, "App frames"; Java: protocol.v2.AppCodec): a message between the server and
// a client that asked for the `framed` feature whose first byte is below 0x20 is one typed frame; any other
// message is a text line. Strict, as every codec here: integers big-endian; a name is u8 len (1–32) ‖
// printable ASCII, a room u8 len (0–33) ‖ printable ASCII; a text runs to the end (strict UTF-8); nothing
// may follow the last field. Anything else throws an AppFrameError (the relay's `malformed_app_frame`).
//
// Times are Numbers (milliseconds, exact below 2^53). A Line's id is a BigInt: the relay numbers lines
// from its clock shifted left by 20 bits (LineIds), far above 2^53, where Numbers would merge neighbours.

import { Reader, Writer, fromUtf8, u64, utf8 } from './bytes.js';

/** A u64 as 8 bytes, from a BigInt. */
export function u64Big(value) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

function readU64Big(input) {
  return new DataView(input.bytes(8).buffer).getBigUint64(0);
}

export const LINE = 0x01;
export const NOTICE = 0x02;
export const SEALED = 0x03;
export const BUNDLE = 0x04;
export const SEAL = 0x10;
export const GET_BUNDLE = 0x11;
export const PUBLISH_PREKEY = 0x12;

const HISTORY = 1;
const PRIVATE = 2;
const STORED = 1;
const MAX_NAME = 32;
const MAX_ROOM = 33;
/** Room, name, flags, ids: everything but a text or an envelope fits in this. */
const HEAD_ROOM = 128;

export class AppFrameError extends Error {
  constructor(problem) {
    super(problem);
    this.name = 'AppFrameError';
  }
}

/** Whether a message is an app frame rather than a text line: its first byte is a control character. */
export function isAppFrame(message) {
  return message.length > 0 && message[0] < 0x20;
}

function asciiBytes(text, min, max) {
  if (typeof text !== 'string' || text.length < min || text.length > max
    || ![...text].every((c) => c.charCodeAt(0) > 0x20 && c.charCodeAt(0) < 0x7f)) {
    throw new TypeError(`a name or room is ${min} to ${max} printable ASCII characters`);
  }
  return utf8(text);
}

function putShort(out, text, min, max) {
  const bytes = asciiBytes(text, min, max);
  return out.u8(bytes.length).put(bytes);
}

function writer(size) {
  return new Writer(HEAD_ROOM + size);
}

/**
 * One frame to its message bytes. Frames are plain objects:
 * `{ type: 'line', id (BigInt), timeMillis, history, private, room, from, text }`, `{ type: 'notice', timeMillis, text }`,
 * `{ type: 'sealed', timeMillis, stored, envelope }`, `{ type: 'bundle', name, bundle }` (bundle empty: none),
 * `{ type: 'seal', to, envelope }`, `{ type: 'getBundle', name }`,
 * `{ type: 'publishPrekey', prekeyId, createdMillis, publicKey, signature }`.
 * Throws a TypeError for a field out of its bounds (a caller bug).
 */
export function encodeAppFrame(frame) {
  switch (frame.type) {
    case 'line': {
      const text = utf8(frame.text);
      const out = writer(text.length).u8(LINE).put(u64Big(frame.id)).put(u64(frame.timeMillis))
        .u8((frame.history ? HISTORY : 0) | (frame.private ? PRIVATE : 0));
      putShort(out, frame.room, 0, MAX_ROOM);
      putShort(out, frame.from, 1, MAX_NAME);
      return out.put(text).written();
    }
    case 'notice': {
      const text = utf8(frame.text);
      return writer(text.length).u8(NOTICE).put(u64(frame.timeMillis)).put(text).written();
    }
    case 'sealed':
      return writer(frame.envelope.length).u8(SEALED).put(u64(frame.timeMillis)).u8(frame.stored ? STORED : 0)
        .put(frame.envelope).written();
    case 'bundle':
      return putShort(writer(frame.bundle.length).u8(BUNDLE), frame.name, 1, MAX_NAME).put(frame.bundle).written();
    case 'seal':
      return putShort(writer(frame.envelope.length).u8(SEAL), frame.to, 1, MAX_NAME).put(frame.envelope).written();
    case 'getBundle':
      return putShort(writer(0).u8(GET_BUNDLE), frame.name, 1, MAX_NAME).written();
    case 'publishPrekey':
      if (frame.publicKey.length !== 32 || frame.signature.length !== 64) {
        throw new TypeError('an X25519 public key is 32 bytes and a signature 64');
      }
      return writer(0).u8(PUBLISH_PREKEY).u32(frame.prekeyId).put(u64(frame.createdMillis)).put(frame.publicKey)
        .put(frame.signature).written();
    default:
      throw new TypeError(`unknown app frame type ${frame.type}`);
  }
}

function readShort(input, min, max) {
  const length = input.u8();
  if (length < min || length > max) {
    throw new AppFrameError('a name or room of the wrong length');
  }
  const bytes = input.bytes(length);
  if (!bytes.every((c) => c > 0x20 && c < 0x7f)) {
    throw new AppFrameError('a name or room that is not printable ASCII');
  }
  return String.fromCharCode(...bytes);
}

function flags(input, allowed) {
  const value = input.u8();
  if ((value & ~allowed) !== 0) {
    throw new AppFrameError('unknown flags');
  }
  return value;
}

function decodeBody(type, input) {
  switch (type) {
    case LINE: {
      const id = readU64Big(input);
      const timeMillis = input.u64();
      const f = flags(input, HISTORY | PRIVATE);
      const room = readShort(input, 0, MAX_ROOM);
      const from = readShort(input, 1, MAX_NAME);
      return { type: 'line', id, timeMillis, history: (f & HISTORY) !== 0, private: (f & PRIVATE) !== 0, room, from,
        text: fromUtf8(input.rest()) };
    }
    case NOTICE:
      return { type: 'notice', timeMillis: input.u64(), text: fromUtf8(input.rest()) };
    case SEALED: {
      const timeMillis = input.u64();
      const stored = flags(input, STORED) === STORED;
      return { type: 'sealed', timeMillis, stored, envelope: input.rest() };
    }
    case BUNDLE:
      return { type: 'bundle', name: readShort(input, 1, MAX_NAME), bundle: input.rest() };
    case SEAL:
      return { type: 'seal', to: readShort(input, 1, MAX_NAME), envelope: input.rest() };
    case GET_BUNDLE:
      return { type: 'getBundle', name: readShort(input, 1, MAX_NAME) };
    case PUBLISH_PREKEY:
      return { type: 'publishPrekey', prekeyId: input.u32(), createdMillis: input.u64(), publicKey: input.bytes(32),
        signature: input.bytes(64) };
    default:
      throw new AppFrameError(`unknown app frame type ${type}`);
  }
}

/** A message to its frame; throws an AppFrameError for anything that does not decode exactly. */
export function decodeAppFrame(message) {
  if (!isAppFrame(message)) {
    throw new AppFrameError('not an app frame');
  }
  const input = new Reader(message, 1);
  let frame;
  try {
    frame = decodeBody(message[0], input);
  } catch (e) {
    throw e instanceof AppFrameError ? e : new AppFrameError('truncated, or a text that is not UTF-8');
  }
  if (input.remaining > 0) {
    throw new AppFrameError('bytes after the last field');
  }
  return frame;
}
