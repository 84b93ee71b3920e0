// What the page does, without the DOM: joins under the requested name, checks the server's fingerprint
// against the one pinned for this origin, keeps the online list and the message list, shows its own
// messages (the relay does not echo them back), and reconnects with backoff after the connection drops,
// except after /quit or a changed server key. The view gets plain data through callbacks.

import { ChatClient, realClock } from '../protocol/client.js';
import { FingerprintPins } from './pins.js';
import { Roster } from './roster.js';

/** Reconnect delays: 0.5 s doubling to 10 s, back to 0.5 s once joined again. */
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

/** The relay splits a command at whitespace into at most three parts and ignores the command's case. */
const MSG = /^\/msg\s+(\S+)\s+([\s\S]+)$/i;
const QUIT = /^\/quit(\s|$)/i;

/**
 * How a line the relay sent is shown: `{ kind: 'notice' | 'message' | 'private', sender, text }`.
 * Notices start with "* "; messages are "NAME: text", private ones "NAME (private): text".
 */
export function describeIncoming(line) {
  if (line.startsWith('* ')) {
    return { kind: 'notice', sender: null, text: line };
  }
  const colon = line.indexOf(': ');
  if (colon < 0) {
    return { kind: 'message', sender: null, text: line }; // not from this relay, which names every sender
  }
  const sender = line.slice(0, colon);
  return { kind: sender.endsWith(' (private)') ? 'private' : 'message', sender, text: line.slice(colon + 2) };
}

/**
 * How a line we sent is shown, or null for a command the relay answers itself (/who, /help, /quit):
 * `{ kind: 'own', sender: 'you', text }` or `{ kind: 'own-private', sender: 'you → NAME (private)', text }`.
 */
export function describeOwn(line) {
  const m = MSG.exec(line.trim());
  if (m) {
    return { kind: 'own-private', sender: `you → ${m[1]} (private)`, text: m[2] };
  }
  if (line.startsWith('/')) {
    return null;
  }
  return { kind: 'own', sender: 'you', text: line };
}

export class ChatController {
  #openLink;
  #Client;
  #clock;
  #crypto;
  #pins;
  #view;
  #roster = new Roster();

  #requestedName = null;
  #client = null;
  /** connecting, joined, disconnected or error: what the status element's data-state shows. */
  #state = 'disconnected';
  #fingerprint = null;
  #joinedText = '';
  #quitting = false;
  #keyChanged = false;
  #everJoined = false;
  #retryDelay = FIRST_RETRY_MS;
  #retryTimer = null;
  /** Why this browser cannot join at all, or null. */
  #unavailable = null;

  /**
   * @param openLink async () => link: opens the transport (the WebSocket) and resolves once it is open
   * @param storage localStorage, for the pinned fingerprint
   * @param origin location.origin: fingerprints are pinned per origin
   * @param view `{ status({ state, text }), message(entry), roster(names, self), fingerprint(fp, pinned), joined(name),
   *   left() }`; `pinned` is false for a fingerprint that differs from the pinned one
   * @param Client the session class, ChatClient (tests pass one they can watch)
   */
  constructor({ openLink, storage, origin, view, clock = realClock, crypto = globalThis.crypto, Client = ChatClient }) {
    this.#openLink = openLink;
    this.#Client = Client;
    this.#clock = clock;
    this.#crypto = crypto;
    this.#pins = new FingerprintPins(storage, origin);
    this.#view = view;
  }

  get state() {
    return this.#state;
  }

  /** Our effective name once welcomed (it may differ from the one asked for). */
  get name() {
    return this.#roster.self;
  }

  get fingerprint() {
    return this.#fingerprint;
  }

  /** Joins under `name`, and rejoins under the same name after every drop until /quit. */
  join(name) {
    if (this.#state === 'connecting' || this.#state === 'joined' || this.#unavailable !== null) {
      return;
    }
    this.#requestedName = name;
    this.#quitting = false;
    this.#retryDelay = FIRST_RETRY_MS;
    this.#connect();
  }

  /** This browser cannot take part (see support.js): says why, as an error, and joins nothing. */
  cannotJoin(reason) {
    this.#unavailable = reason;
    this.#status('error', reason);
  }

  /**
   * Sends one line (a message or a command) and shows our own messages. Returns true when sent; false
   * when not, with the reason in the status (the caller keeps the text for the user to change).
   */
  send(line) {
    if (this.#state !== 'joined' || this.#client === null) {
      return false;
    }
    try {
      this.#client.sendText(line);
    } catch (e) {
      if (e.code === 'too_long') {
        this.#status('joined', `${this.#joinedText} Message not sent: it is too long (${e.bytes.toLocaleString('en')}`
          + ` bytes; the server accepts at most ${e.max.toLocaleString('en')}).`);
        return false;
      }
      if (e.code === 'queue_full') {
        this.#status('joined', `${this.#joinedText} Message not sent: too many are still waiting to go out.`);
        return false;
      }
      throw e;
    }
    this.#status('joined', this.#joinedText);
    if (QUIT.test(line.trim())) {
      this.#quitting = true;
    }
    const own = describeOwn(line);
    if (own !== null) {
      this.#view.message(own);
    }
    return true;
  }

  /** Leaves at once (the page is going away): a Close tells the server, and nothing reconnects. */
  leave() {
    this.#quitting = true;
    this.#clearRetry();
    this.#client?.close();
  }

  async #connect() {
    this.#clearRetry();
    this.#roster.clear();
    this.#view.roster([], null);
    this.#status('connecting', this.#everJoined ? 'Reconnecting…' : 'Connecting…');
    let link;
    try {
      link = await this.#openLink();
    } catch {
      this.#retryLater('The server is unreachable.');
      return;
    }
    if (this.#quitting) {
      link.close();
      return;
    }
    const client = new this.#Client({
      link, name: this.#requestedName, clock: this.#clock, crypto: this.#crypto,
      onText: (line) => this.#onText(client, line),
      onClose: (error) => this.#onClose(client, error),
    });
    this.#client = client;
    try {
      this.#fingerprint = await client.connect({ trust: (fp) => this.#trust(fp) });
    } catch {
      return; // onClose says why
    }
    this.#view.fingerprint(this.#fingerprint, true);
    client.sendText('/who'); // fills the online list; the relay answers in order after the welcome
  }

  #trust(fingerprint) {
    this.#fingerprint = fingerprint;
    const verdict = this.#pins.check(fingerprint);
    this.#keyChanged = verdict === 'mismatch';
    return !this.#keyChanged;
  }

  #onText(client, line) {
    if (client !== this.#client) {
      return;
    }
    const learned = this.#roster.read(line);
    if (learned?.welcome) {
      const { name, reason } = learned.welcome;
      this.#everJoined = true;
      this.#retryDelay = FIRST_RETRY_MS;
      const why = reason === null ? '' : ` (${reason.endsWith('is taken') ? `the name ${reason}` : reason})`;
      this.#joinedText = `Joined as ${name}${why}.`;
      this.#status('joined', this.#joinedText);
      this.#view.joined(name);
    }
    if (learned !== null) {
      this.#view.roster(this.#roster.names, this.#roster.self);
    }
    this.#view.message(describeIncoming(line));
  }

  #onClose(client, error) {
    if (client !== this.#client) {
      return;
    }
    this.#client = null;
    if (error.code === 'untrusted' && this.#keyChanged) {
      this.#view.fingerprint(this.#fingerprint, false);
      this.#status('error', 'Not joined: the server\'s identity key has CHANGED since this browser first '
        + `connected (it was ${this.#pins.pinned}, it is now ${this.#fingerprint}). Someone may be impersonating `
        + 'the server. If its key really changed, the pinned key must be removed from this site\'s stored data.');
      this.#view.left();
      return;
    }
    if (this.#quitting) {
      this.#status('disconnected', 'You left the chat.');
      this.#view.left();
      return;
    }
    const why = this.#state === 'joined' ? 'The connection to the server was lost.' : 'The server is unreachable.';
    this.#retryLater(why);
  }

  #retryLater(why) {
    const delay = this.#retryDelay;
    this.#retryDelay = Math.min(MAX_RETRY_MS, this.#retryDelay * 2);
    this.#status('disconnected', `${why} Reconnecting in ${delay / 1000} s…`);
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = null;
      this.#connect();
    }, delay);
  }

  #clearRetry() {
    if (this.#retryTimer !== null) {
      this.#clock.clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
  }

  #status(state, text) {
    this.#state = state;
    this.#view.status({ state, text });
  }
}
