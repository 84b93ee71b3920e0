// KeyOffer extensions (docs/PROTOCOL.md, "Outer frames", "KeyOffer extensions"; Java: V2Frame.Extensions):
// after the requested name, each `u8 type ‖ u8 length ‖ value`, in type order, each at most once, before
// the zero padding. The transcript covers them, since they are part of the KeyOffer's bytes.
//   01 identity  96 bytes: the identity key and its proof (e2e/codec.js encodeIdentityExtension makes all 98)
//   02 features   1 byte: bit 0 framed (every message from the server is an app frame)
//   03 resume    u64 last_line_id ‖ room (ASCII, `#` and 1–32 characters)

import { Reader, concat, utf8 } from './bytes.js';
import { u64Big } from './app-frames.js';

export const IDENTITY = 0x01;
export const FEATURES = 0x02;
export const RESUME = 0x03;
export const FRAMED = 1;

const ROOM = /^#[A-Za-z0-9_.-]{1,32}$/;

/**
 * The extension bytes: `identity` is the 98-byte identity extension (or null), `framed` a boolean,
 * `resume` `{ room, lastLineId (BigInt: line ids are above 2^53) }` or null.
 */
export function encodeExtensions({ identity = null, framed = false, resume = null } = {}) {
  const parts = [];
  if (identity !== null) {
    if (identity.length !== 98 || identity[0] !== IDENTITY || identity[1] !== 96) {
      throw new TypeError('an identity extension is 01 60 and 96 bytes');
    }
    parts.push(identity);
  }
  if (framed) {
    parts.push(Uint8Array.of(FEATURES, 1, FRAMED));
  }
  if (resume !== null) {
    if (!ROOM.test(resume.room)) {
      throw new TypeError('a room is # and 1 to 32 of A-Z a-z 0-9 _ - .');
    }
    const room = utf8(resume.room);
    parts.push(Uint8Array.of(RESUME, 8 + room.length), u64Big(resume.lastLineId), room);
  }
  return concat(...parts);
}

/**
 * The extensions at the start of `bytes` (what follows a KeyOffer's name): `{ identity (raw 96 bytes or
 * null), framed, resume, length }`, `length` the bytes they take (the zero padding starts there). An
 * unknown type is skipped by its length; a repeated type or a value of the wrong size throws a RangeError.
 */
export function decodeExtensions(bytes) {
  const input = new Reader(bytes);
  const seen = new Set();
  const result = { identity: null, framed: false, resume: null, length: 0 };
  while (input.remaining > 0) {
    const type = bytes[bytes.length - input.remaining];
    if (type === 0) {
      break;
    }
    input.u8();
    const length = input.u8();
    const value = input.bytes(length);
    if (seen.has(type)) {
      throw new RangeError(`extension ${type} twice`);
    }
    seen.add(type);
    if (type === IDENTITY) {
      if (length !== 96) {
        throw new RangeError('an identity extension is 96 bytes');
      }
      result.identity = value;
    } else if (type === FEATURES) {
      if (length !== 1) {
        throw new RangeError('features are one byte');
      }
      result.framed = (value[0] & FRAMED) !== 0;
    } else if (type === RESUME) {
      const v = new Reader(value);
      const lastLineId = new DataView(v.bytes(8).buffer).getBigUint64(0);
      const room = String.fromCharCode(...v.rest());
      if (!ROOM.test(room)) {
        throw new RangeError('resume names no room');
      }
      result.resume = { room, lastLineId };
    }
    result.length = bytes.length - input.remaining;
  }
  return result;
}
