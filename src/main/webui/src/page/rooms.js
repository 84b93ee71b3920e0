// Rooms in the page (docs/PROTOCOL.md, "Rooms and history"): the room we are in (everyone starts in
// #lobby; `* you are in #dev` after a /join), the last line id seen in it (the cursor a reconnect resumes
// from, so no line shows twice), and the list of rooms for the side panel, read from the answers to
// `/rooms` (`* rooms: #dev (2), #lobby (5)`). The page asks `/rooms` itself after the welcome, after a
// join or leave in the room (at most once every few seconds), and now and then; the answers to its own
// questions are not shown. No DOM.

export const LOBBY = '#lobby';
const ROOM = '#[A-Za-z0-9_.-]{1,32}';
const YOU_ARE_IN = new RegExp(`^\\* you are in (${ROOM})$`);
const ROOMS = new RegExp(`^\\* rooms: ((?:${ROOM} \\(\\d+\\)(?:, )?)*)$`);
const ROOM_ENTRY = new RegExp(`(${ROOM}) \\((\\d+)\\)`, 'g');

/** At most one /rooms the page asks itself per this many ms, however busy the room. */
export const MIN_REFRESH_MS = 3000;
/** And one this often while nothing happens, so rooms made elsewhere show up. */
export const PERIODIC_REFRESH_MS = 30_000;
/** Rooms listed in the panel; the relay may have up to 1,000 per instance. */
export const MAX_LISTED = 50;

export class Rooms {
  #clock;
  #send;
  #changed;
  #current = LOBBY;
  /** A BigInt: the relay's line ids are above 2^53. */
  #lastLineId = 0n;
  #list = [];
  /** /rooms asked by the page whose answers have not come yet. */
  #asked = 0;
  #lastAsked = -Infinity;
  #timer = null;
  #connected = false;

  /**
   * @param send (line) => sends a command to the relay
   * @param changed (rooms [{ name, members }], current) => the panel shows them
   */
  constructor({ clock, send, changed }) {
    this.#clock = clock;
    this.#send = send;
    this.#changed = changed;
  }

  get current() {
    return this.#current;
  }

  get list() {
    return this.#list;
  }

  /** Where a reconnect resumes (KeyOffer extension 03): this room and the last line of it we have. */
  resume() {
    return { room: this.#current, lastLineId: this.#lastLineId };
  }

  /**
   * Reads one notice. Returns 'hidden' for the answer to a /rooms the page asked itself (not to be shown),
   * 'moved' when we are now in another room, else null.
   */
  read(line) {
    let m = YOU_ARE_IN.exec(line);
    if (m) {
      const moved = m[1].toLowerCase() !== this.#current.toLowerCase();
      this.#current = m[1];
      if (moved) {
        this.#lastLineId = 0n; // its history follows
      }
      this.#changed(this.#list, this.#current);
      this.somethingMoved();
      return moved ? 'moved' : null;
    }
    if ((m = ROOMS.exec(line))) {
      this.#list = [...m[1].matchAll(ROOM_ENTRY)].slice(0, MAX_LISTED)
        .map(([, name, members]) => ({ name, members: Number(members) }));
      this.#changed(this.#list, this.#current);
      if (this.#asked > 0) {
        this.#asked--;
        return 'hidden';
      }
    }
    return null;
  }

  /**
   * A Line of `room` with this id arrived: true if it is new, false if we had it (a resumed session never
   * shows a line twice).
   */
  line(room, id) {
    if (room.toLowerCase() !== this.#current.toLowerCase()) {
      return true; // not the room we think we are in: shown, and the cursor stays ours
    }
    if (id <= this.#lastLineId) {
      return false;
    }
    this.#lastLineId = id;
    return true;
  }

  /** Welcomed on a new connection: list the rooms now, and keep the list fresh. */
  welcomed() {
    this.#connected = true;
    this.#asked = 0;
    this.#lastAsked = -Infinity;
    this.#ask();
  }

  /** Someone joined or left (or we moved): the counts changed, so ask again, at most every MIN_REFRESH_MS. */
  somethingMoved() {
    if (!this.#connected) {
      return;
    }
    const wait = this.#lastAsked + MIN_REFRESH_MS - this.#clock.now();
    this.#schedule(Math.max(0, wait));
  }

  disconnected() {
    this.#connected = false;
    this.#asked = 0;
    this.#cancel();
  }

  #ask() {
    this.#cancel();
    if (!this.#connected) {
      return;
    }
    this.#lastAsked = this.#clock.now();
    try {
      this.#send('/rooms');
      this.#asked++;
    } catch {
      // not open any more: the next welcome asks again
    }
    this.#schedule(PERIODIC_REFRESH_MS);
  }

  #schedule(delay) {
    this.#cancel();
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#ask();
    }, delay);
  }

  #cancel() {
    if (this.#timer !== null) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = null;
    }
  }
}
