// The page: binds the ChatController to the DOM. Every text goes in with textContent, never as HTML.

import { ChatController } from './controller.js';
import { missingCrypto } from './support.js';
import { openWebSocketLink } from './websocket-link.js';

/** Messages kept on screen; older ones are dropped so a long session does not grow without bound. */
const MAX_SHOWN = 1000;

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const joinForm = document.getElementById('join-form');
const nameInput = byTestId('username-input');
const joinButton = byTestId('join-button');
const chat = document.getElementById('chat');
const sendForm = document.getElementById('send-form');
const messageInput = byTestId('message-input');
const messageList = byTestId('message-list');
const onlineList = byTestId('online-list');
const onlineCount = document.getElementById('online-count');
const statusLine = byTestId('status');
const fingerprintText = byTestId('server-fingerprint');
const fingerprintHint = document.getElementById('fingerprint-hint');

const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;

const controller = new ChatController({
  openLink: () => openWebSocketLink(url),
  storage: pinStorage(),
  origin: location.origin,
  view: {
    status({ state, text }) {
      statusLine.dataset.state = state;
      statusLine.textContent = text;
    },
    message: showMessage,
    roster: showRoster,
    fingerprint(fingerprint, pinned) {
      fingerprintText.textContent = fingerprint;
      fingerprintHint.textContent = pinned
        ? '(pinned in this browser the first time it connected; compare it with the one the server logs at startup)'
        : '(presented now; it is NOT the one pinned in this browser, so the page did not join)';
    },
    joined() {
      // the first join (or one after leaving) opens the chat; a rejoin after a drop leaves the focus alone
      if (!joinForm.hidden) {
        joinForm.hidden = true;
        chat.hidden = false;
        messageInput.focus();
      }
    },
    left() {
      if (!unloading) {
        remember(null); // /quit or a refused server: a reload shows the form
      }
      joinForm.hidden = false;
      joinButton.disabled = false;
      nameInput.focus();
    },
  },
});

// For tests only: what the page shows, read-only; never a key.
window.ciphergram = Object.freeze({
  get state() {
    return controller.state;
  },
  get name() {
    return controller.name;
  },
  get fingerprint() {
    return controller.fingerprint;
  },
});

joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = nameInput.value.trim();
  if (name === '') {
    nameInput.focus();
    return;
  }
  join(name);
});

/** The name this tab joined under lives in sessionStorage, so a reload joins again under it. */
const REJOIN = 'ciphergram.name';
let unloading = false;

function join(name) {
  joinButton.disabled = true; // until joined, or told why not
  nameInput.value = name;
  remember(name);
  controller.join(name);
}

function remember(name) {
  try {
    if (name === null) {
      sessionStorage.removeItem(REJOIN);
    } else {
      sessionStorage.setItem(REJOIN, name);
    }
  } catch {
    // storage refused: a reload then shows the form again
  }
}

function remembered() {
  try {
    return sessionStorage.getItem(REJOIN);
  } catch {
    return null;
  }
}

sendForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = messageInput.value;
  if (text.trim() === '') {
    return;
  }
  if (controller.send(text)) {
    messageInput.value = '';
  }
  messageInput.focus();
});

onlineList.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-name]');
  if (button !== null) {
    messageInput.value = `/msg ${button.dataset.name} `;
    messageInput.focus();
    messageInput.setSelectionRange(messageInput.value.length, messageInput.value.length);
  }
});

const missing = await missingCrypto();
if (missing !== null) {
  controller.cannotJoin(missing);
  joinButton.disabled = true;
} else if (remembered() !== null) {
  join(remembered()); // a reload: this tab was in the chat
}

// Leaving the page ends the session with a Close, so the relay frees the name at once; a page the
// browser brings back from its back-forward cache starts afresh rather than show a closed session.
window.addEventListener('pagehide', () => {
  unloading = true;
  controller.leave();
});
window.addEventListener('pageshow', (event) => {
  if (event.persisted) {
    location.reload();
  }
});

function showMessage({ kind, sender, text }) {
  const atBottom = messageList.scrollHeight - messageList.scrollTop - messageList.clientHeight < 40;
  const item = document.createElement('li');
  item.className = `message ${kind}`;
  item.dataset.testid = 'message';
  if (sender !== null) {
    const who = document.createElement('span');
    who.className = 'sender';
    who.textContent = sender;
    item.append(who, ': ');
  }
  const body = document.createElement('span');
  body.className = 'text';
  body.textContent = text;
  item.append(body);
  messageList.append(item);
  while (messageList.childElementCount > MAX_SHOWN) {
    messageList.firstElementChild.remove();
  }
  if (atBottom) {
    messageList.scrollTop = messageList.scrollHeight;
  }
}

function showRoster(names, self) {
  onlineList.replaceChildren(...names.map((name) => {
    const item = document.createElement('li');
    if (name === self) {
      item.className = 'self';
      item.textContent = `${name} (you)`;
    } else {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.name = name;
      button.textContent = name;
      button.setAttribute('aria-label', `Write to ${name} privately`);
      item.append(button);
    }
    return item;
  }));
  onlineCount.textContent = names.length > 0 ? `(${names.length})` : '';
}

/** localStorage, or a page-lifetime stand-in where the browser refuses storage (pins then last one visit). */
function pinStorage() {
  try {
    const storage = window.localStorage;
    storage.getItem('ciphergram.probe');
    return storage;
  } catch {
    const memory = new Map();
    return { getItem: (k) => (memory.has(k) ? memory.get(k) : null), setItem: (k, v) => memory.set(k, v) };
  }
}
