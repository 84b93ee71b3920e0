// Inner frames of the reliable layer ⇄ bytes (docs/PROTOCOL.md, "Inner frames"; Java: ReliableCodec).
// Ping (10) and Close (11) are single bytes the channel handles itself; this codec covers Data (01)
// and Ack (02). Strict: anything but the one canonical encoding is refused.

import { Reader, Writer } from './bytes.js';
import {
  DATA_FRAME_HEADER, MAX_ACK_RANGES, MAX_FRAGMENTS, MAX_FRAGMENT_PAYLOAD, MAX_RELIABLE_FRAME, MAX_SEQUENCE,
} from './constants.js';

const TYPE_DATA = 0x01;
const TYPE_ACK = 0x02;
export const PING = 0x10;
export const CLOSE = 0x11;
const ACK_HEADER = 6;
const ACK_RANGE = 4;

/** An inner frame that opened under the session key but does not decode; `reason` says why. */
export class MalformedFrameError extends Error {
  constructor(reason) {
    super(reason);
    this.name = 'MalformedFrameError';
    this.reason = reason;
  }
}

/**
 * `{ type: 'data', sequence, messageId, fragmentIndex, fragmentCount, payload }` or
 * `{ type: 'ack', cumulative, ranges: [{ first, last }, ...] }`.
 */
export function decodeReliable(bytes) {
  if (bytes.length === 0) {
    throw new MalformedFrameError('empty');
  }
  if (bytes.length > MAX_RELIABLE_FRAME) {
    throw new MalformedFrameError('oversize');
  }
  const input = new Reader(bytes, 1);
  if (bytes[0] === TYPE_DATA) {
    return decodeData(input);
  }
  if (bytes[0] === TYPE_ACK) {
    return decodeAck(input);
  }
  throw new MalformedFrameError('unknown_type');
}

function decodeData(input) {
  if (input.remaining < DATA_FRAME_HEADER - 1) {
    throw new MalformedFrameError('truncated');
  }
  const sequence = input.u32();
  const messageId = input.u32();
  const fragmentIndex = input.u16();
  const fragmentCount = input.u16();
  const length = input.u16();
  if (sequence > MAX_SEQUENCE) {
    throw new MalformedFrameError('bad_range');
  }
  if (fragmentCount < 1 || fragmentCount > MAX_FRAGMENTS || fragmentIndex >= fragmentCount) {
    throw new MalformedFrameError('bad_fragment');
  }
  if (length > MAX_FRAGMENT_PAYLOAD) {
    throw new MalformedFrameError('payload_too_large');
  }
  if (input.remaining < length) {
    throw new MalformedFrameError('truncated');
  }
  if (input.remaining > length) {
    throw new MalformedFrameError('trailing_bytes');
  }
  return { type: 'data', sequence, messageId, fragmentIndex, fragmentCount, payload: input.rest() };
}

function decodeAck(input) {
  if (input.remaining < ACK_HEADER - 1) {
    throw new MalformedFrameError('truncated');
  }
  const cumulative = input.u32();
  const count = input.u8();
  if (count > MAX_ACK_RANGES) {
    throw new MalformedFrameError('too_many_ranges');
  }
  if (input.remaining < ACK_RANGE * count) {
    throw new MalformedFrameError('truncated');
  }
  if (input.remaining > ACK_RANGE * count) {
    throw new MalformedFrameError('trailing_bytes');
  }
  const ranges = [];
  let previousEnd = cumulative;
  for (let i = 0; i < count; i++) {
    const gap = input.u16();
    const length = input.u16();
    const first = previousEnd + gap;
    const last = first + length - 1;
    if (gap === 0 || length === 0 || last > MAX_SEQUENCE) {
      throw new MalformedFrameError('bad_range');
    }
    ranges.push({ first, last });
    previousEnd = last + 1;
  }
  return { type: 'ack', cumulative, ranges };
}

/** Encodes a Data or Ack frame; throws a TypeError for one outside the v2 limits (a caller bug). */
export function encodeReliable(frame) {
  if (frame.type === 'data') {
    return encodeData(frame);
  }
  if (frame.type === 'ack') {
    return encodeAck(frame);
  }
  throw new TypeError(`unknown inner frame ${frame.type}`);
}

function encodeData(d) {
  if (d.payload.length > MAX_FRAGMENT_PAYLOAD || d.fragmentCount < 1 || d.fragmentCount > MAX_FRAGMENTS
      || d.fragmentIndex >= d.fragmentCount || d.sequence > MAX_SEQUENCE) {
    throw new TypeError('fragment exceeds the v2 limits');
  }
  return new Writer(DATA_FRAME_HEADER + d.payload.length)
    .u8(TYPE_DATA).u32(d.sequence).u32(d.messageId).u16(d.fragmentIndex).u16(d.fragmentCount)
    .u16(d.payload.length).put(d.payload).written();
}

function encodeAck(a) {
  if (a.ranges.length > MAX_ACK_RANGES || a.cumulative > MAX_SEQUENCE + 1) {
    throw new TypeError('ack exceeds the v2 limits');
  }
  const out = new Writer(ACK_HEADER + ACK_RANGE * a.ranges.length)
    .u8(TYPE_ACK).u32(a.cumulative).u8(a.ranges.length);
  let previousEnd = a.cumulative;
  for (const r of a.ranges) {
    const gap = r.first - previousEnd;
    const length = r.last - r.first + 1;
    // Ranges ascend with a gap of at least one between them: the canonical form the decoder demands.
    if (gap < 1 || gap > 0xffff || length < 1 || length > 0xffff) {
      throw new TypeError('ack ranges must ascend, apart, above the cumulative ack');
    }
    out.u16(gap).u16(length);
    previousEnd = r.last + 1;
  }
  return out.written();
}
