// The message list on screen: one item per line, with its time, its sender and its text, every text put
// in with textContent, never as HTML. It follows the newest line while the user is at the bottom; once
// they have scrolled up it keeps their place (also when old lines are dropped from the top) and offers a
// jump to the newest, saying how many lines came since.

/** Lines kept on screen; older ones are dropped so a long session does not grow without bound. */
const MAX_SHOWN = 1000;
/** Within this many pixels of the end counts as at the bottom (a wheel tick short of it still follows). */
const BOTTOM_SLACK_PX = 40;

const CLOCK = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const FULL = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export class MessageList {
  #list;
  #jump;
  #max;
  /** Lines that arrived below while the user was scrolled up. */
  #unseen = 0;

  /**
   * @param list the `<ol>` of messages
   * @param jump the button that scrolls to the newest line
   */
  constructor(list, jump, { max = MAX_SHOWN } = {}) {
    this.#list = list;
    this.#jump = jump;
    this.#max = max;
    jump.addEventListener('click', () => this.scrollToNewest());
    list.addEventListener('scroll', () => {
      if (this.#atBottom()) {
        this.#showUnseen(0);
      }
    });
  }

  /** Shows one entry of ChatController's view (`{ kind, sender, text, mention, at }`). */
  append(entry) {
    const follow = this.#atBottom() || entry.kind.startsWith('own');
    this.#list.append(lineItem(entry));
    this.#trim();
    if (follow) {
      this.scrollToNewest();
    } else {
      this.#showUnseen(this.#unseen + 1);
    }
  }

  scrollToNewest() {
    this.#list.scrollTop = this.#list.scrollHeight;
    this.#showUnseen(0);
  }

  #atBottom() {
    const list = this.#list;
    return list.scrollHeight - list.scrollTop - list.clientHeight < BOTTOM_SLACK_PX;
  }

  /** Drops the oldest lines over the bound, moving the scroll position by what they took up. */
  #trim() {
    if (this.#list.childElementCount <= this.#max) {
      return;
    }
    const before = this.#list.scrollHeight;
    while (this.#list.childElementCount > this.#max) {
      this.#list.firstElementChild.remove();
    }
    this.#list.scrollTop -= before - this.#list.scrollHeight;
  }

  #showUnseen(count) {
    this.#unseen = count;
    this.#jump.hidden = count === 0;
    this.#jump.textContent = `${count} new ${count === 1 ? 'line' : 'lines'} ↓`;
  }
}

/** Kinds sealed end to end: the relay could not read them. */
const END_TO_END = new Set(['private-e2e', 'own-private-e2e']);

/**
 * `<li class="message KIND [history] [mention]"><time>HH:MM</time> [lock] <span class="body"><span
 * class="sender">S</span>: <span class="text">T</span></span></li>`. An end-to-end message has a lock beside
 * the time, with words a screen reader reads ("end-to-end encrypted"); a line said before we came
 * (history) is muted and keeps the relay's time; one that waited in the mailbox says so.
 */
function lineItem({ kind, sender, text, mention, at, history = false, stored = false }) {
  const item = document.createElement('li');
  item.className = `message ${kind}${history ? ' history' : ''}${mention ? ' mention' : ''}`;
  item.dataset.testid = 'message';
  item.dataset.kind = kind;
  if (history) {
    item.dataset.history = 'true';
  }

  const time = document.createElement('time');
  time.dataset.testid = 'message-time';
  time.dateTime = at.toISOString();
  time.title = FULL.format(at);
  time.textContent = CLOCK.format(at);

  const body = document.createElement('span');
  body.className = 'body';
  body.dataset.testid = 'message-body';
  if (sender !== null) {
    const who = document.createElement('span');
    who.className = 'sender';
    who.textContent = sender;
    body.append(who, ': ');
  }
  const words = document.createElement('span');
  words.className = 'text';
  words.textContent = text;
  body.append(words);

  item.append(time, ' ');
  if (END_TO_END.has(kind)) {
    const lock = document.createElement('span');
    lock.className = 'lock';
    lock.dataset.testid = 'e2e-lock';
    lock.title = 'End-to-end encrypted: the relay could not read it';
    const icon = lockIcon();
    const words = document.createElement('span');
    words.className = 'visually-hidden';
    words.textContent = stored ? 'end-to-end encrypted, delivered from the mailbox' : 'end-to-end encrypted';
    lock.append(icon, words);
    item.append(lock, ' ');
  } else if (kind === 'private' || kind === 'own-private') {
    const mark = document.createElement('span');
    mark.className = 'readable';
    mark.dataset.testid = 'readable-mark';
    mark.title = 'Private, but the relay could read it';
    mark.textContent = '(private)';
    const words = document.createElement('span');
    words.className = 'visually-hidden';
    words.textContent = ', readable by the relay';
    mark.append(words);
    item.append(mark, ' ');
  }
  if (history) {
    time.title = `said before you came, ${FULL.format(at)}`;
  }
  item.append(body);
  return item;
}

const SVG = 'http://www.w3.org/2000/svg';

/** A padlock drawn in SVG (an emoji needs a font that not every system has), hidden from screen readers. */
function lockIcon() {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '14');
  svg.setAttribute('height', '14');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.dataset.icon = 'lock';
  const shackle = document.createElementNS(SVG, 'path');
  shackle.setAttribute('d', 'M4.5 7V5a3.5 3.5 0 0 1 7 0v2');
  shackle.setAttribute('fill', 'none');
  shackle.setAttribute('stroke', 'currentColor');
  shackle.setAttribute('stroke-width', '1.8');
  const body = document.createElementNS(SVG, 'rect');
  body.setAttribute('x', '2.5');
  body.setAttribute('y', '7');
  body.setAttribute('width', '11');
  body.setAttribute('height', '8');
  body.setAttribute('rx', '1.5');
  body.setAttribute('fill', 'currentColor');
  svg.append(shackle, body);
  return svg;
}
