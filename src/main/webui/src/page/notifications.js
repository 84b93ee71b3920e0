// Desktop notifications through the Notification API. Permission is asked only when the user presses the
// button (browsers ignore or penalise a request made on load, and it would be rude); until it is
// granted nothing is shown. The side panel says which of the states the browser is in.

const STATES = {
  unsupported: 'This browser cannot show notifications.',
  default: 'Off. A private message or a mention of your name can be shown as a notification while this tab '
    + 'is in the background.',
  granted: 'On: a private message or a mention of your name is shown as a notification while this tab is in '
    + 'the background. The notification shows the start of the message.',
  denied: 'Blocked for this site in the browser\'s settings.',
};

export class DesktopNotifications {
  #api;
  #button;
  #state;

  /**
   * @param button asks for permission when pressed
   * @param state a paragraph saying whether notifications are on
   * @param api the Notification constructor, if the browser has one
   */
  constructor({ button, state, api = globalThis.Notification }) {
    this.#api = api;
    this.#button = button;
    this.#state = state;
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await this.#api.requestPermission();
      } finally {
        button.disabled = false;
        this.#render();
      }
    });
    this.#render();
  }

  /** Shows `{ title, body }` if the user allowed it; clicking the notification brings the page forward. */
  show({ title, body }) {
    if (this.#permission() !== 'granted') {
      return;
    }
    const notification = new this.#api(title, { body });
    notification.addEventListener('click', () => {
      window.focus();
      notification.close();
    });
  }

  #permission() {
    return typeof this.#api === 'function' ? this.#api.permission : 'unsupported';
  }

  #render() {
    const permission = this.#permission();
    this.#state.textContent = STATES[permission] ?? STATES.default;
    this.#button.hidden = permission !== 'default';
  }
}
