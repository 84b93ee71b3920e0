// Byte helpers shared by the codecs: big-endian reading and writing (docs/PROTOCOL.md, "Notation":
// every integer is unsigned big-endian), strict UTF-8 and base64. No DOM, no Node APIs.

const encoder = new TextEncoder();
// fatal: bytes that are not UTF-8 are refused, never replaced; ignoreBOM: a leading U+FEFF is text.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8(text) {
  return encoder.encode(text);
}

/** Decodes UTF-8, throwing a TypeError on anything that is not. */
export function fromUtf8(bytes) {
  return decoder.decode(bytes);
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equal(a, b) {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex) {
  if (hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) {
    throw new TypeError('not hex');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

/** RFC 4648 base64, standard alphabet, without its '=' padding (how OpenSSH prints fingerprints). */
export function base64Unpadded(bytes) {
  let binary = '';
  for (const b of bytes) {
    binary += String.fromCharCode(b);
  }
  return btoa(binary).replace(/=+$/, '');
}

export function u32(value) {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

/** A u64 as 8 bytes; values here (sequence numbers) stay below 2^53, so a Number holds them exactly. */
export function u64(value) {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(value / 2 ** 32));
  view.setUint32(4, value % 2 ** 32);
  return out;
}

/** Reads big-endian fields in order; running past the end throws a RangeError. */
export class Reader {
  #data;
  #view;
  #at;

  constructor(data, offset = 0) {
    this.#data = data;
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.#at = offset;
  }

  get remaining() {
    return this.#data.length - this.#at;
  }

  #take(n) {
    if (n > this.remaining) {
      throw new RangeError('truncated');
    }
    const from = this.#at;
    this.#at += n;
    return from;
  }

  u8() {
    return this.#view.getUint8(this.#take(1));
  }

  u16() {
    return this.#view.getUint16(this.#take(2));
  }

  u32() {
    return this.#view.getUint32(this.#take(4));
  }

  /**
   * A u64 as a Number: exact below 2^53. Larger values come out approximate but still far above every
   * bound they are checked against (REJECT_AFTER_MESSAGES), so they are refused all the same.
   */
  u64() {
    const high = this.u32();
    return high * 2 ** 32 + this.u32();
  }

  bytes(n) {
    const from = this.#take(n);
    return this.#data.slice(from, from + n);
  }

  rest() {
    return this.bytes(this.remaining);
  }
}

/** Appends big-endian fields into a buffer of fixed capacity. */
export class Writer {
  #data;
  #view;
  #at = 0;

  constructor(capacity) {
    this.#data = new Uint8Array(capacity);
    this.#view = new DataView(this.#data.buffer);
  }

  u8(v) {
    this.#view.setUint8(this.#at, v);
    this.#at += 1;
    return this;
  }

  u16(v) {
    this.#view.setUint16(this.#at, v);
    this.#at += 2;
    return this;
  }

  u32(v) {
    this.#view.setUint32(this.#at, v);
    this.#at += 4;
    return this;
  }

  put(bytes) {
    this.#data.set(bytes, this.#at);
    this.#at += bytes.length;
    return this;
  }

  /** The bytes written so far. */
  written() {
    return this.#data.slice(0, this.#at);
  }
}
