// The page in headless Chromium against the REAL Java server, through ws-udp-gateway.mjs standing in
// for the WebSocket gateway (one binary frame per datagram), beside the Java console client: joining
// by keyboard, messages both ways, the online list, /msg by clicking a name, 64 KiB messages both
// ways, reconnecting after the connection drops, /quit, and refusing a server whose identity key
// changed. Drives the browser with plain WebDriver calls to chromedriver, through the same data-testid
// hooks Selenium tests use.
//
// Run from src/main/webui, with chromium and chromedriver installed and the server built:
//   (cd ../../.. && ./mvnw -q -o -B package -DskipTests) && npm run build
//   node test-interop/browser-e2e.mjs
// Screenshots go to /tmp/webui-e2e/. Not part of `npm test`.

import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

import {
  check, freshDirectory, run, start, startConsoleClient, startServer, waitFor,
} from './harness.mjs';
import { startGateway } from './ws-udp-gateway.mjs';

const WORK = freshDirectory('/tmp/webui-e2e');
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
const ENTER = '\uE007';

let gateway = null;
let driver = null;

/** A free loopback TCP port, for chromedriver. */
function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** The few WebDriver (W3C) commands this needs, over chromedriver's HTTP API. */
class WebDriver {
  constructor(base, session) {
    this.base = base;
    this.session = session;
  }

  static async start() {
    const port = await freePort();
    start('chromedriver', [`--port=${port}`]);
    const base = `http://127.0.0.1:${port}`;
    await waitFor('chromedriver', () => fetch(`${base}/status`).then((r) => r.ok, () => false));
    const created = await call(base, 'POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'chrome',
          'goog:chromeOptions': {
            binary: '/usr/bin/chromium',
            args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--window-size=1100,800'],
          },
        },
      },
    });
    return new WebDriver(base, created.sessionId);
  }

  command(method, path, body) {
    return call(this.base, method, `/session/${this.session}${path}`, body);
  }

  open(url) {
    return this.command('POST', '/url', { url });
  }

  async find(testId) {
    const found = await this.command('POST', '/element', { using: 'css selector', value: `[data-testid="${testId}"]` });
    return found[ELEMENT];
  }

  async type(testId, text) {
    await this.command('POST', `/element/${await this.find(testId)}/value`, { text });
  }

  async text(testId) {
    return this.command('GET', `/element/${await this.find(testId)}/text`);
  }

  script(source, ...args) {
    return this.command('POST', '/execute/sync', { script: source, args });
  }

  /** Types into whatever has the focus, as a keyboard user does. */
  keys(text) {
    return this.command('POST', '/actions', {
      actions: [{ type: 'key', id: 'keyboard', actions: [...text].flatMap((k) => [{ type: 'keyDown', value: k }, { type: 'keyUp', value: k }]) }],
    });
  }

  async screenshot(name) {
    writeFileSync(`${WORK}/${name}.png`, Buffer.from(await this.command('GET', '/screenshot'), 'base64'));
  }

  quit() {
    return this.command('DELETE', '');
  }
}

async function call(base, method, path, body) {
  const response = await fetch(base + path, {
    method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) {
    throw new Error(`WebDriver ${method} ${path}: ${json.value?.message ?? response.status}`);
  }
  return json.value;
}

const state = () => driver.script('return document.querySelector(\'[data-testid="status"]\').dataset.state');
const focused = () => driver.script('return document.activeElement && document.activeElement.dataset.testid');
const messages = () => driver.script('return [...document.querySelectorAll(\'[data-testid="message"]\')].map((m) => m.textContent)');
const online = () => driver.script('return [...document.querySelectorAll(\'[data-testid="online-list"] > *\')].map((m) => m.textContent)');

async function main() {
  const server = await startServer(`${WORK}/id.pem`);
  gateway = await startGateway({ udpPort: server.port });
  const page = `http://127.0.0.1:${gateway.port}/`;
  console.log(`server on UDP ${server.port} (${server.fingerprint}); page at ${page}`);
  driver = await WebDriver.start();

  await driver.open(page);
  check('focus starts in the name field', await focused() === 'username-input');
  check('the page starts disconnected', await state() === 'disconnected');
  await driver.keys(`carol${ENTER}`); // keyboard only
  await waitFor('the page to join', async () => await state() === 'joined');
  check('Enter in the name field joins', true, await driver.text('status'));
  check('focus moves to the message field', await focused() === 'message-input');
  const shown = await driver.text('server-fingerprint');
  check('the page shows the server fingerprint', shown === server.fingerprint, shown);
  const hook = await driver.script('return { ...window.ciphergram }');
  check('window.ciphergram tells state, name and fingerprint, and nothing else',
    hook.state === 'joined' && hook.name === 'carol' && hook.fingerprint === server.fingerprint
    && Object.keys(hook).sort().join() === 'fingerprint,name,state', JSON.stringify(hook));
  const pinned = await driver.script('return localStorage.getItem("ciphergram.pinned-server:" + location.origin)');
  check('the fingerprint is pinned for this origin', pinned === server.fingerprint);

  const bob = startConsoleClient(server.port, 'bob', `${WORK}/known`);
  await waitFor('bob in the online list', async () => (await online()).some((n) => n.includes('bob')));
  check('the online list follows "* bob joined"', true, (await online()).join(' | '));

  bob.say('hi carol, <b>not bold</b>');
  await waitFor('bob\'s message on the page', async () => (await messages()).includes('bob: hi carol, <b>not bold</b>'));
  check('a message from the Java client shows with its sender, as text', await driver.script(
    'return document.querySelectorAll(\'[data-testid="message-list"] b\').length') === 0);

  await driver.type('message-input', `hello bob${ENTER}`);
  await waitFor('bob to hear carol', () => bob.lines.out.includes('carol: hello bob'));
  check('Enter sends: the Java client gets the page\'s message', true);
  check('the page shows its own message', (await messages()).includes('you: hello bob'));

  await driver.command('POST', `/element/${(await driver.command('POST', '/element', {
    using: 'css selector', value: '[data-testid="online-list"] button[data-name="bob"]',
  }))[ELEMENT]}/click`, {});
  check('clicking a name puts "/msg NAME " in the focused input', await driver.script(
    'return document.activeElement.value') === '/msg bob ' && await focused() === 'message-input');
  await driver.keys(`psst${ENTER}`);
  await waitFor('the private message', () => bob.lines.out.includes('carol (private): psst'));
  check('/msg by clicking a name reaches bob', (await messages()).includes('you → bob (private): psst'));

  await driver.screenshot('conversation');
  const big = 'ß'.repeat(1500);
  await driver.type('message-input', `${big}${ENTER}`);
  await waitFor('the 3000-byte message', () => bob.lines.out.includes(`carol: ${big}`));
  check('a 3000-byte message goes through the page whole', true);

  const longest = 'q'.repeat(65_536 - 'carol: '.length); // the relayed line is exactly 64 KiB
  await driver.script('document.querySelector(\'[data-testid="message-input"]\').value = arguments[0]', longest);
  await driver.command('POST', `/element/${await driver.find('send-button')}/click`, {});
  await waitFor('the 64 KiB message', () => bob.lines.out.includes(`carol: ${longest}`));
  check('a 64 KiB message goes from the page to the Java client whole', true);
  const fromBob = 'w'.repeat(65_536 - 'bob: '.length);
  bob.say(fromBob);
  await waitFor('bob\'s 64 KiB message on the page', async () => (await messages()).includes(`bob: ${fromBob}`));
  check('a 64 KiB message from the Java client shows on the page whole', true);

  await driver.screenshot('desktop');
  await driver.command('POST', '/window/rect', { width: 390, height: 844 });
  const columns = await driver.script('return getComputedStyle(document.getElementById("chat")).gridTemplateColumns.split(" ").length');
  check('a phone-width window shows one column', columns === 1, `${columns} column(s)`);
  await driver.screenshot('phone');
  await driver.command('POST', '/window/rect', { width: 1100, height: 800 });

  gateway.dropConnections();
  await waitFor('the page to notice the drop', async () => await state() !== 'joined');
  check('a dropped connection is shown', true, await driver.text('status'));
  await waitFor('the page to rejoin', async () => await state() === 'joined');
  // The stand-in gateway cannot tell the relay that the WebSocket went away, so the old session lingers
  // until its idle timeout and the relay names the rejoining page carol2: the page asked for "carol" again.
  const rejoined = await driver.script('return window.ciphergram.name');
  const status = await driver.text('status');
  check('it reconnects by itself and rejoins under the name it asked for', rejoined === 'carol'
    || status === 'Joined as carol2 (the name carol is taken).', status);

  await driver.type('message-input', `/quit${ENTER}`);
  await waitFor('the page to leave', async () => await state() === 'disconnected');
  check('/quit leaves and says so', await driver.text('status') === 'You left the chat.');
  await waitFor('bob to see carol leave', () => bob.lines.out.includes(`* ${rejoined} left`));
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  check('after /quit it does not reconnect', await state() === 'disconnected');

  await gateway.close();
  await server.stop();
  const impostor = await startServer(`${WORK}/other-id.pem`);
  gateway = await startGateway({ udpPort: impostor.port, httpPort: gateway.port }); // same origin
  await driver.open(page);
  await driver.keys(`carol${ENTER}`);
  await waitFor('the page to refuse the new key', async () => await state() === 'error');
  const warning = await driver.text('status');
  check('a changed server key is refused with a plain warning', /CHANGED/.test(warning) && /impersonat/.test(warning),
    warning);
  await driver.screenshot('key-changed');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  check('it does not retry after a changed key', await state() === 'error');
}

run(main, {
  cleanup: async () => {
    await driver?.quit().catch(() => {});
    await gateway?.close();
  },
});
