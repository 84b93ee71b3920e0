// What calls for the user's attention, without the DOM: while the page is hidden the tab title counts the
// lines people wrote that the user has not seen ("(3) Ciphergram"), and a private message or a room
// message naming the user becomes a desktop notification when the page is hidden or not focused. The
// relay's own notices (joins, leaves, answers to commands) count for neither.

/** The longest notification body: the start of the message is enough to decide whether to look. */
const MAX_BODY = 200;

export class Attention {
  #title;
  #setTitle;
  #unread = 0;

  /**
   * @param title the page's own title
   * @param setTitle (text) => void: shows the tab title
   */
  constructor({ title, setTitle }) {
    this.#title = title;
    this.#setTitle = setTitle;
  }

  /** Lines from people that arrived while the page was hidden and have not been seen. */
  get unread() {
    return this.#unread;
  }

  /**
   * A line was shown (an entry of ChatController's view). Counts it if the page is hidden, and returns
   * the notification it deserves, `{ title, body }`, or null.
   */
  arrived(entry, { hidden, focused }) {
    const isPrivate = entry.kind === 'private' || entry.kind === 'private-e2e';
    const fromPeople = entry.kind === 'message' || isPrivate;
    if (!fromPeople || entry.history) {
      // a line said before we came (history) was not missed while away
      return null;
    }
    if (hidden) {
      this.#unread++;
      this.#setTitle(`(${this.#unread}) ${this.#title}`);
    }
    if (!hidden && focused) {
      return null;
    }
    if (isPrivate) {
      return { title: entry.sender ?? 'Private message', body: shorten(entry.text) };
    }
    if (entry.mention) {
      return { title: entry.sender === null ? 'You were mentioned' : `${entry.sender} mentioned you`, body: shorten(entry.text) };
    }
    return null;
  }

  /** The page is visible again: everything is seen. */
  seen() {
    if (this.#unread > 0) {
      this.#unread = 0;
      this.#setTitle(this.#title);
    }
  }
}

function shorten(text) {
  return text.length <= MAX_BODY ? text : `${text.slice(0, MAX_BODY - 1)}…`;
}
