// Who is online, kept from the relay's notices (docs/PROTOCOL.md, "Texts the relay sends"): the
// welcome ("* you are NAME; ..." or "* you are NAME2 (NAME is taken); ..."), "* NAME joined",
// "* NAME left", and the answer to /who, "* online (N): a, b, c", which may go on over further
// notices "* d, e" when it is long. No DOM: the page renders what this holds.

/** Usernames as the relay makes them: 1–32 of A–Z a–z 0–9 _ - . (guests are "guest-N"). */
const NAME = '[A-Za-z0-9_.-]{1,32}';
const WELCOME = new RegExp(`^\\* you are (${NAME})(?: \\((.+)\\))?; `);
const JOINED = new RegExp(`^\\* (${NAME}) joined$`);
const LEFT = new RegExp(`^\\* (${NAME}) left$`);
const ONLINE = new RegExp(`^\\* online(?: in #${NAME})? \\((\\d+)\\):((?: ${NAME},?)*)$`);
const MORE_NAMES = new RegExp(`^\\* ${NAME}(?:, ${NAME})*$`);

export class Roster {
  /** Lower-cased name → name as shown: names are unique ignoring case. */
  #names = new Map();
  #self = null;
  /** A /who answer still being read: how many names it announced, and those read so far. */
  #listing = null;

  /** Our own effective name, once welcomed. */
  get self() {
    return this.#self;
  }

  /** Everyone online, sorted as the relay sorts them (ignoring case). */
  get names() {
    return [...this.#names.values()].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  }

  /** We moved to another room: only we are known to be in it until its /who answer. */
  moved() {
    this.#names.clear();
    this.#listing = null;
    if (this.#self !== null) {
      this.#add(this.#self);
    }
  }

  clear() {
    this.#names.clear();
    this.#self = null;
    this.#listing = null;
  }

  /**
   * Reads one line from the relay. Returns `{ welcome: { name, reason } }` for the welcome (reason is
   * why the name differs from the one asked for, or null), `{ changed: true }` if the list changed,
   * or null if the line says nothing about who is online.
   */
  read(line) {
    let m = WELCOME.exec(line);
    if (m) {
      this.#self = m[1];
      this.#add(m[1]);
      return { welcome: { name: m[1], reason: m[2] ?? null } };
    }
    if ((m = JOINED.exec(line))) {
      this.#add(m[1]);
      return { changed: true };
    }
    if ((m = LEFT.exec(line))) {
      this.#names.delete(m[1].toLowerCase());
      return { changed: true };
    }
    if ((m = ONLINE.exec(line))) {
      this.#listing = { expected: Number(m[1]), names: splitNames(m[2]) };
      return this.#listingProgress();
    }
    if (this.#listing !== null && MORE_NAMES.test(line)) {
      this.#listing.names.push(...splitNames(line.slice(1)));
      return this.#listingProgress();
    }
    return null;
  }

  /** Once a /who answer has all its names, it replaces the list. */
  #listingProgress() {
    if (this.#listing.names.length < this.#listing.expected) {
      return null;
    }
    this.#names.clear();
    this.#listing.names.forEach((name) => this.#add(name));
    if (this.#self !== null) {
      this.#add(this.#self);
    }
    this.#listing = null;
    return { changed: true };
  }

  #add(name) {
    this.#names.set(name.toLowerCase(), name);
  }
}

function splitNames(text) {
  return text.split(',').map((n) => n.trim()).filter((n) => n.length > 0);
}
