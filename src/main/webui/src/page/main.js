// The page: binds the ChatController to the DOM. Every text goes in with textContent, never as HTML.

import { Attention } from './attention.js';
import { ChatController } from './controller.js';
import { KeyStore, openIndexedDbRecords } from './key-store.js';
import { MessageList } from './message-list.js';
import { PrivateMessages } from './private-messages.js';
import { DesktopNotifications } from './notifications.js';
import { missingCrypto } from './support.js';
import { openWebSocketLink } from './websocket-link.js';

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const joinForm = document.getElementById('join-form');
const nameInput = byTestId('username-input');
const joinButton = byTestId('join-button');
const chat = document.getElementById('chat');
const sendForm = document.getElementById('send-form');
const messageInput = byTestId('message-input');
const sendButton = byTestId('send-button');
const onlineList = byTestId('online-list');
const onlineCount = document.getElementById('online-count');
const statusLine = byTestId('status');
const fingerprintText = byTestId('server-fingerprint');
const fingerprintHint = document.getElementById('fingerprint-hint');
const roomList = byTestId('room-list');
const currentRoom = byTestId('current-room');
const identityFingerprint = byTestId('identity-fingerprint');
const newPassphrase = byTestId('new-passphrase');
const restoreText = byTestId('restore-text');
const restorePassphrase = byTestId('restore-passphrase');
const restoreButton = byTestId('restore-button');
const restoreState = byTestId('restore-state');
const exportForm = document.getElementById('export-form');
const exportPassphrase = byTestId('export-passphrase');
const exportText = byTestId('export-text');
const exportState = byTestId('export-state');

const messages = new MessageList(byTestId('message-list'), byTestId('jump-to-newest'));
const attention = new Attention({ title: document.title, setTitle: (title) => { document.title = title; } });
const notifications = new DesktopNotifications({ button: byTestId('notify-button'), state: byTestId('notify-state') });

/** The message input had the focus when a drop disabled it. */
let refocus = false;

const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;

/**
 * The identity of this browser profile, in IndexedDB (key-store.js); null where the browser refuses
 * IndexedDB (a private window of some browsers): the page then joins without one, and /msg goes as text.
 */
const privateMessages = typeof indexedDB === 'undefined' ? null
  : new PrivateMessages({ keys: new KeyStore(openIndexedDbRecords()) });

const controller = new ChatController({
  openLink: () => openWebSocketLink(url),
  privateMessages,
  storage: pinStorage(),
  origin: location.origin,
  view: {
    status({ state, text }) {
      statusLine.dataset.state = state;
      statusLine.textContent = text;
      // Only a member of the room can send: the input waits while connecting or reconnecting, and gets
      // the focus back afterwards if it had it.
      const joined = state === 'joined';
      refocus ||= !joined && document.activeElement === messageInput;
      messageInput.disabled = !joined;
      sendButton.disabled = !joined;
      if (joined && refocus) {
        refocus = false;
        messageInput.focus();
      }
    },
    message(entry) {
      messages.append(entry);
      const notification = attention.arrived(entry, { hidden: document.hidden, focused: document.hasFocus() });
      if (notification !== null) {
        notifications.show(notification);
      }
    },
    roster: showRoster,
    rooms: showRooms,
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
  get room() {
    return controller.room;
  },
  get identity() {
    return privateMessages?.identity?.publicKey.fingerprint ?? null;
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

async function join(name) {
  joinButton.disabled = true; // until joined, or told why not
  nameInput.value = name;
  remember(name);
  if (privateMessages !== null) {
    try {
      const passphrase = newPassphrase.value === '' ? null : newPassphrase.value;
      const identity = await privateMessages.load({ passphrase });
      newPassphrase.value = '';
      identityFingerprint.textContent = identity.publicKey.fingerprint;
    } catch {
      restoreState.textContent = 'This browser could not keep an identity: joining without one (private messages go as text).';
    }
  }
  controller.join(name);
}

restoreButton.addEventListener('click', async () => {
  if (privateMessages === null) {
    restoreState.textContent = 'This browser keeps no stored data for this page: nothing can be restored.';
    return;
  }
  if (await privateMessages.hasIdentity()) {
    restoreState.textContent = 'This browser already has an identity: a backup can only be restored into one that has none.';
    return;
  }
  restoreButton.disabled = true;
  restoreState.textContent = 'Restoring…';
  try {
    const identity = await privateMessages.restore(restoreText.value, restorePassphrase.value);
    identityFingerprint.textContent = identity.publicKey.fingerprint;
    restoreState.textContent = `Restored: ${identity.publicKey.fingerprint}. Join to use it.`;
    restoreText.value = '';
  } catch (e) {
    restoreState.textContent = `Not restored: ${e.message}.`;
  } finally {
    restorePassphrase.value = '';
    restoreButton.disabled = false;
  }
});

exportForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (privateMessages === null) {
    return;
  }
  exportState.textContent = 'Encrypting…';
  try {
    exportText.value = await privateMessages.exportBackup(exportPassphrase.value);
    exportState.textContent = 'Done: the private key inside is encrypted with your passphrase.';
  } catch (e) {
    exportText.value = '';
    exportState.textContent = `Not exported: ${e.message}.`;
  } finally {
    exportPassphrase.value = '';
  }
});

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
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) {
    attention.seen();
  }
});

function showRooms(rooms, current) {
  currentRoom.textContent = current;
  const listed = rooms.some((r) => r.name.toLowerCase() === current.toLowerCase()) ? rooms
    : [...rooms, { name: current, members: null }];
  roomList.replaceChildren(...listed.map(({ name, members }) => {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.room = name;
    button.dataset.testid = 'room';
    button.textContent = members === null ? name : `${name} (${members})`;
    const here = name.toLowerCase() === current.toLowerCase();
    button.setAttribute('aria-current', String(here));
    button.setAttribute('aria-label', here ? `${name}, the room you are in` : `Join ${name}`);
    item.append(button);
    return item;
  }));
}

roomList.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-room]');
  if (button !== null && button.getAttribute('aria-current') !== 'true') {
    controller.joinRoom(button.dataset.room);
    messageInput.focus();
  }
});

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
