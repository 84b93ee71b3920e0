// Trust on first use for the server's identity, per origin, like OpenSSH's known_hosts
// (docs/PROTOCOL.md, "Server identity and pinning"): the first fingerprint seen is recorded; a later
// different one is refused and never overwrites the record. `storage` is localStorage or a stand-in.

const PREFIX = 'ciphergram.pinned-server:';

export class FingerprintPins {
  #storage;
  #key;

  constructor(storage, origin) {
    this.#storage = storage;
    this.#key = PREFIX + origin;
  }

  /** The fingerprint pinned for this origin, or null. */
  get pinned() {
    return this.#storage.getItem(this.#key);
  }

  /** 'first_use' (now pinned), 'match' or 'mismatch' (refuse: the record stays as it was). */
  check(fingerprint) {
    const pinned = this.pinned;
    if (pinned === null) {
      this.#storage.setItem(this.#key, fingerprint);
      return 'first_use';
    }
    return pinned === fingerprint ? 'match' : 'mismatch';
  }
}
