// What the page does, without the DOM: joins under the requested name, checks the server's fingerprint
// against the one pinned for this origin, keeps the online list and the message list, shows its own
// messages (the relay does not echo them back), and reconnects with backoff after the connection drops,
// except after /quit or a changed server key. The view gets plain data through callbacks.
//
// It is joined when the server's first message arrives (ChatClient's key confirmation): the relay makes
// a v2 session a member, and names it, only once it has received a record from it, and its first message
// is the welcome. Until then the status says connecting and nothing can be sent.

import { ChatClient, realClock } from '../protocol/client.js';
import { encodeExtensions } from '../protocol/key-offer-extensions.js';
import { FingerprintPins } from './pins.js';
import { PrivateMessageError, ROTATION_CHECK_MS } from './private-messages.js';
import { Rooms } from './rooms.js';
import { Roster } from './roster.js';

/** Reconnect delays: 0.5 s doubling to 10 s, back to 0.5 s once joined again. */
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

/** The relay splits a command at whitespace into at most three parts and ignores the command's case. */
const MSG = /^\/msg\s+(\S+)\s+([\s\S]+)$/i;
const QUIT = /^\/quit(\s|$)/i;
const TRUST = /^\/trust\s+(\S+)\s*$/i;
const VERIFY = /^\/verify\s+(\S+)\s*$/i;

/** Characters of a name (see roster.js); a mention is the name not run into others of them. */
const NAME_CHAR = '[A-Za-z0-9_-]';

/**
 * Whether `text` names `self` as a word, ignoring case ("alice:", "@alice", "hi Alice." do; "malice" and
 * "alice2" do not). A name is letters, digits and `_ - .`, so a dot counts as part of it only when more of
 * the name follows.
 */
export function mentions(text, self) {
  if (self === null || self === '') {
    return false;
  }
  const name = self.replace(/[.-]/g, '\\$&');
  return new RegExp(`(?<!${NAME_CHAR}|\\.)${name}(?!${NAME_CHAR}|\\.${NAME_CHAR})`, 'i').test(text);
}

/**
 * How a line the relay sent is shown: `{ kind: 'notice' | 'message' | 'private', sender, text, mention }`.
 * Notices start with "* "; messages are "NAME: text", private ones "NAME (private): text". `mention` is
 * true for a room message that names `self` (our name, or null before the welcome).
 */
export function describeIncoming(line, self = null) {
  if (line.startsWith('* ')) {
    return { kind: 'notice', sender: null, text: line, mention: false };
  }
  const colon = line.indexOf(': ');
  if (colon < 0) {
    // not from this relay, which names every sender
    return { kind: 'message', sender: null, text: line, mention: mentions(line, self) };
  }
  const sender = line.slice(0, colon);
  const text = line.slice(colon + 2);
  if (sender.endsWith(' (private)')) {
    return { kind: 'private', sender, text, mention: false };
  }
  if (sender.endsWith(' (private, end-to-end)')) {
    return { kind: 'private-e2e', sender, text, mention: false };
  }
  return { kind: 'message', sender, text, mention: mentions(text, self) };
}

/**
 * How a line we sent is shown, or null for a command the relay answers itself (/who, /help, /quit):
 * `{ kind: 'own', sender: 'you', text }` or `{ kind: 'own-private', sender: 'you → NAME (private)', text }`.
 */
export function describeOwn(line) {
  const m = MSG.exec(line.trim());
  if (m) {
    return { kind: 'own-private', sender: `you → ${m[1]} (private)`, text: m[2], mention: false };
  }
  if (line.startsWith('/')) {
    return null;
  }
  return { kind: 'own', sender: 'you', text: line, mention: false };
}

export class ChatController {
  #openLink;
  #Client;
  #clock;
  #wallClock;
  #crypto;
  #pins;
  #view;
  #roster = new Roster();
  #rooms;
  /** The identity and its end-to-end messages (private-messages.js), or null: text /msg only. */
  #private;
  #rotationTimer = null;

  #requestedName = null;
  #client = null;
  /** connecting, joined, disconnected or error: what the status element's data-state shows. */
  #state = 'disconnected';
  #fingerprint = null;
  #joinedText = '';
  #quitting = false;
  #keyChanged = false;
  #everJoined = false;
  /** The server's first message on this connection has arrived: we are in the room. */
  #member = false;
  #retryDelay = FIRST_RETRY_MS;
  #retryTimer = null;
  /** Why this browser cannot join at all, or null. */
  #unavailable = null;

  /**
   * @param openLink async () => link: opens the transport (the WebSocket) and resolves once it is open
   * @param storage localStorage, for the pinned fingerprint
   * @param origin location.origin: fingerprints are pinned per origin
   * @param view `{ status({ state, text }), message(entry), roster(names, self), fingerprint(fp, pinned), joined(name),
   *   left() }`; `pinned` is false for a fingerprint that differs from the pinned one; an entry is what
   *   describeIncoming or describeOwn gives, with `at`, the Date it was received or sent
   * @param Client the session class, ChatClient (tests pass one they can watch)
   * @param wallClock () => ms since the epoch, for the time shown on each line
   */
  constructor({ openLink, storage, origin, view, clock = realClock, crypto = globalThis.crypto, Client = ChatClient,
    wallClock = Date.now, privateMessages = null }) {
    this.#private = privateMessages;
    this.#rooms = new Rooms({ clock, send: (line) => this.#client?.sendText(line),
      changed: (rooms, current) => this.#view.rooms?.(rooms, current) });
    this.#openLink = openLink;
    this.#Client = Client;
    this.#clock = clock;
    this.#wallClock = wallClock;
    this.#crypto = crypto;
    this.#pins = new FingerprintPins(storage, origin);
    this.#view = view;
  }

  get state() {
    return this.#state;
  }

  /** The room we are in (the relay starts everyone in #lobby). */
  get room() {
    return this.#rooms.current;
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
    const trimmed = line.trim();
    if (this.#private !== null) {
      let m;
      if ((m = MSG.exec(trimmed))) {
        this.#sendPrivate(m[1], m[2]);
        return true;
      }
      if ((m = TRUST.exec(trimmed))) {
        this.#trustContact(m[1]);
        return true;
      }
      if ((m = VERIFY.exec(trimmed))) {
        this.#verify(m[1]);
        return true;
      }
    }
    return this.#sendLine(line);
  }

  /** `/join #room` from the side panel. */
  joinRoom(room) {
    return this.send(`/join ${room}`);
  }

  #sendLine(line) {
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
      this.#show(own);
    }
    return true;
  }

  /** `/msg NAME TEXT`: sealed when NAME has a key bundle, else as text, which the relay can read. */
  async #sendPrivate(name, text) {
    const client = this.#client;
    let how;
    try {
      how = await this.#private.sendPrivate(name, text);
    } catch (e) {
      if (!(e instanceof PrivateMessageError)) {
        throw e;
      }
      this.#notice(`* not sent to ${name}: ${e.message}`);
      return;
    }
    if (client !== this.#client) {
      return;
    }
    if (how === 'sealed') {
      this.#show({ kind: 'own-private-e2e', sender: `you → ${name} (private, end-to-end)`, text, mention: false });
    } else {
      this.#sendLine(`/msg ${name} ${text}`);
    }
  }

  async #trustContact(name) {
    const accepted = await this.#private.trust(name);
    this.#notice(accepted ? `* ${name}'s new identity key is trusted now`
      : `* no changed identity key is waiting for ${name}`);
  }

  async #verify(name) {
    const digits = await this.#private.safetyNumber(name);
    this.#notice(digits === null ? `* no identity key is known for ${name}: write to ${name} first`
      : `* safety number with ${name}: ${digits}`);
  }

  /** A line of the page's own, shown as the relay's notices are. */
  #notice(text) {
    this.#show({ kind: 'notice', sender: null, text, mention: false });
  }

  /** Leaves at once (the page is going away): a Close tells the server, and nothing reconnects. */
  leave() {
    this.#quitting = true;
    this.#clearRetry();
    this.#client?.close();
  }

  async #connect() {
    this.#clearRetry();
    this.#member = false;
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
    const resume = this.#everJoined ? this.#rooms.resume() : null;
    const client = new this.#Client({
      link, name: this.#requestedName, clock: this.#clock, crypto: this.#crypto,
      onText: (line) => this.#onText(client, line),
      onFrame: (frame) => {
        this.#onFrame(client, frame).catch(() => this.#notice('* a message from the server could not be shown'));
      },
      extensions: async (fields) => encodeExtensions({
        identity: this.#private === null ? null : await this.#private.identityExtension(fields),
        framed: true,
        resume,
      }),
      onClose: (error) => this.#onClose(client, error),
    });
    this.#client = client;
    try {
      this.#fingerprint = await client.connect({ trust: (fp) => this.#trust(fp) });
    } catch {
      return; // onClose says why
    }
    this.#view.fingerprint(this.#fingerprint, true);
  }

  #trust(fingerprint) {
    this.#fingerprint = fingerprint;
    const verdict = this.#pins.check(fingerprint);
    this.#keyChanged = verdict === 'mismatch';
    return !this.#keyChanged;
  }

  #onText(client, line, at = null) {
    if (client !== this.#client) {
      return;
    }
    const room = this.#rooms.read(line);
    if (room === 'hidden') {
      return; // the answer to a /rooms the page asked for itself
    }
    if (room === 'moved') {
      this.#roster.moved(); // another room, other people: /who below lists them
    }
    const learned = this.#roster.read(line);
    if (!this.#member) {
      this.#joinedRoom(learned?.welcome ?? null);
    }
    if (learned !== null) {
      this.#view.roster(this.#roster.names, this.#roster.self);
    }
    this.#show(describeIncoming(line, this.#roster.self), at);
    if (learned?.welcome) {
      client.sendText('/who'); // fills the online list; the relay answers in order after the welcome
      this.#rooms.welcomed();
      this.#welcomePrivate(client);
    } else if (learned?.changed) {
      this.#rooms.somethingMoved();
    }
    if (room === 'moved') {
      this.#view.roster(this.#roster.names, this.#roster.self);
      client.sendText('/who');
    }
  }

  /** The identity's part of a welcome: publish the current prekey, and check the rotation now and then. */
  async #welcomePrivate(client) {
    if (this.#private === null) {
      return;
    }
    await this.#private.welcomed(this.#roster.self, (frame) => client.sendFrame(frame));
    this.#clock.clearTimeout(this.#rotationTimer);
    const check = () => {
      this.#rotationTimer = this.#clock.setTimeout(async () => {
        if (client === this.#client) {
          await this.#private.publish();
          check();
        }
      }, ROTATION_CHECK_MS);
    };
    check();
  }

  /** An app frame (docs/PROTOCOL.md, "App frames"): the session asked for the framed feature. */
  async #onFrame(client, frame) {
    if (client !== this.#client) {
      return;
    }
    switch (frame.type) {
      case 'notice':
        this.#onText(client, frame.text, frame.timeMillis);
        break;
      case 'line':
        this.#onLine(frame);
        break;
      case 'bundle':
        this.#private?.onBundle(frame);
        break;
      case 'sealed':
        await this.#onSealed(client, frame);
        break;
      default:
        break; // a client-to-server frame: not ours to receive
    }
  }

  #onLine(frame) {
    if (frame.private) {
      this.#show({ kind: 'private', sender: `${frame.from} (private)`, text: frame.text, mention: false }, frame.timeMillis);
      return;
    }
    if (!this.#rooms.line(frame.room, frame.id)) {
      return; // had it already (a resumed session): never a line twice
    }
    const entry = { kind: 'message', sender: frame.from, text: frame.text, mention: mentions(frame.text, this.#roster.self) };
    if (frame.history) {
      entry.history = true;
      entry.mention = false; // said before we came: nothing to call attention to
    }
    this.#show(entry, frame.timeMillis);
  }

  async #onSealed(client, frame) {
    if (this.#private === null) {
      return;
    }
    let opened;
    try {
      opened = await this.#private.openSealed(frame);
    } catch (e) {
      if (!(e instanceof PrivateMessageError)) {
        throw e;
      }
      if (client === this.#client) {
        this.#notice(`* ${e.message}`);
      }
      return;
    }
    if (client === this.#client) {
      this.#show({ kind: 'private-e2e', sender: `${opened.sender} (private, end-to-end)`, text: opened.text,
        mention: false, stored: opened.stored }, frame.timeMillis);
    }
  }

  /** The first message of a connection, normally the welcome (null if it was something else). */
  #joinedRoom(welcome) {
    this.#member = true;
    this.#everJoined = true;
    this.#retryDelay = FIRST_RETRY_MS;
    if (welcome === null) {
      this.#joinedText = 'Joined.';
    } else {
      const { name, reason } = welcome;
      const why = reason === null ? '' : ` (${reason.endsWith('is taken') ? `the name ${reason}` : reason})`;
      this.#joinedText = `Joined as ${name}${why}.`;
    }
    this.#status('joined', this.#joinedText);
    this.#view.joined(this.#roster.self);
  }

  /** `at`: the relay's time for the line (ms since the epoch), or null for now. */
  #show(entry, at = null) {
    this.#view.message({ ...entry, at: new Date(at ?? this.#wallClock()) });
  }

  #onClose(client, error) {
    if (client !== this.#client) {
      return;
    }
    this.#client = null;
    this.#private?.disconnected();
    this.#rooms.disconnected();
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
