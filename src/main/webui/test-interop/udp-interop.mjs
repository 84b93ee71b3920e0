// Interop: this package's ChatClient joins the REAL Java server over UDP (the v2 protocol is the same
// over UDP and over the WebSocket gateway; only the framing differs), next to the Java console client.
// It checks that messages flow both ways, /who, /msg, a 64 KiB and a 3000-byte message in both
// directions, and /quit.
//
// Run from src/main/webui, after building the server once in the repository root:
//   (cd ../../.. && ./mvnw -q -o -B package -DskipTests)
//   node test-interop/udp-interop.mjs
// It starts the server (target/quarkus-app/quarkus-run.jar, UDP and HTTP on free loopback ports,
// identity in /tmp/webui-it/) and the console client (target/ciphergram-cli.jar), and stops both before
// it exits. Not part of `npm test`: it needs Java and the built jars.

import dgram from 'node:dgram';

import { ChatClient } from '../src/protocol/client.js';
import { check, freshDirectory, run, startConsoleClient, startServer, waitFor } from './harness.mjs';

const WORK = '/tmp/webui-it';

/** A ChatClient link over a UDP socket connected to the server: one datagram each way per frame. */
async function udpLink(port) {
  const socket = dgram.createSocket('udp4');
  // An ICMP "port unreachable" for something sent surfaces as an error: a loss like any other, left
  // to the protocol's retries and timeouts (as the Java client's DatagramLink treats it).
  socket.on('error', () => {});
  await new Promise((resolve, reject) => socket.connect(port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  let closed = false;
  return {
    send(datagram) {
      if (!closed) {
        socket.send(datagram, () => {}); // a lost datagram is the reliable layer's business
      }
    },
    onDatagram(callback) {
      socket.on('message', (message) => callback(new Uint8Array(message)));
    },
    close() {
      if (!closed) {
        closed = true;
        socket.close();
      }
    },
  };
}

function shortText(text) {
  return text.length > 60 ? `${text.slice(0, 40)}… (${Buffer.byteLength(text)} bytes)` : text;
}

async function main() {
  freshDirectory(WORK);
  const { port, fingerprint: serverFingerprint } = await startServer(`${WORK}/id.pem`);
  console.log(`server up on UDP 127.0.0.1:${port}, identity ${serverFingerprint}`);

  // alice: this package's client
  const alice = [];
  const aliceClosed = [];
  const aliceLink = await udpLink(port);
  const client = new ChatClient({
    link: aliceLink, name: 'alice', onText: (t) => alice.push(t), onClose: (e) => aliceClosed.push(e.code),
  });
  let trustedAsked = null;
  const fingerprint = await client.connect({ trust: (fp) => { trustedAsked = fp; return true; } });
  check('the JS client completes the v2 handshake with the Java server', client.state === 'open');
  check('its fingerprint is the one the server logs', fingerprint === serverFingerprint && trustedAsked === fingerprint,
    fingerprint);
  check('the server states its limits', client.limits.maxMessageBytes === 65_536 && client.limits.keepaliveSeconds === 10,
    JSON.stringify(client.limits));
  await waitFor('the welcome', () => alice.includes('* you are alice; /help lists commands'));
  check('alice is welcomed', true, '* you are alice; /help lists commands');

  // bob: the Java console client
  const bob = startConsoleClient(port, 'bob', `${WORK}/known`);
  const bobSays = bob.say;
  await waitFor('bob to join', () => alice.includes('* bob joined'));
  check('alice sees bob join', true);
  const bobPinned = await waitFor('bob to pin the server', () => bob.lines.err
    .map((l) => /trusting its key (SHA256:\S+)/.exec(l)).find(Boolean));
  check('the Java client pinned the same fingerprint', bobPinned[1] === fingerprint);

  client.sendText('hello bob');
  await waitFor('bob to hear alice', () => bob.lines.out.includes('alice: hello bob'));
  check('alice → bob', true, 'alice: hello bob');

  bobSays('hi alice');
  await waitFor('alice to hear bob', () => alice.includes('bob: hi alice'));
  check('bob → alice', true, 'bob: hi alice');

  client.sendText('/who');
  const who = await waitFor('/who', () => alice.find((t) => t.startsWith('* online (')));
  check('/who lists both', who === '* online (2): alice, bob', who);

  client.sendText('/msg bob psst');
  await waitFor('the private message', () => bob.lines.out.includes('alice (private): psst'));
  check('/msg from alice reaches bob as a private message', true, 'alice (private): psst');

  bobSays('/msg alice secret');
  await waitFor('bob\'s private message', () => alice.includes('bob (private): secret'));
  check('/msg from bob reaches alice', true, 'bob (private): secret');

  client.sendText('/msg nobody x');
  await waitFor('the refusal', () => alice.includes('* no such user: nobody'));
  check('/msg to an unknown name is refused', true, '* no such user: nobody');

  // 64 KiB: the relay prefixes "NAME: ", so the longest text that arrives as one 65,536-byte line is
  // 65,536 − len("alice: ") bytes. A text of exactly 65,536 bytes also crosses whole: the relay counts it.
  const aliceBig = `${'a'.repeat(65_536 - 'alice: '.length - 3)}✓`; // ✓ is 3 bytes of UTF-8
  client.sendText(aliceBig);
  const atBob = await waitFor('alice\'s 64 KiB line', () => bob.lines.out.find((l) => l.startsWith('alice: a')));
  check('a 64 KiB message alice → bob arrives whole', atBob === `alice: ${aliceBig}`,
    `${Buffer.byteLength(atBob)} bytes, ${shortText(atBob)}`);

  client.sendText('b'.repeat(65_536));
  const refused = await waitFor('the too-long notice', () => alice.find((t) => t.startsWith('* message not sent')));
  check('a 65,536-byte text reaches the server whole (it counts the prefixed line)',
    refused === '* message not sent: 65543 bytes, at most 65536 fit in one datagram', refused);

  const bobBig = `${'z'.repeat(65_536 - 'bob: '.length - 3)}日`;
  bobSays(bobBig);
  const atAlice = await waitFor('bob\'s 64 KiB line', () => alice.find((t) => t.startsWith('bob: z')));
  check('a 64 KiB message bob → alice arrives whole', atAlice === `bob: ${bobBig}`,
    `${Buffer.byteLength(atAlice)} bytes, ${shortText(atAlice)}`);

  const aliceMid = 'é'.repeat(1500);
  client.sendText(aliceMid);
  const midAtBob = await waitFor('alice\'s 3000-byte line', () => bob.lines.out.find((l) => l.startsWith('alice: é')));
  check('a 3000-byte message alice → bob arrives whole', midAtBob === `alice: ${aliceMid}`,
    `${Buffer.byteLength(aliceMid)} bytes of text`);

  const bobMid = `${'0123456789'.repeat(299)}end!!!!!!!`;
  bobSays(bobMid);
  const midAtAlice = await waitFor('bob\'s 3000-byte line', () => alice.find((t) => t.startsWith('bob: 0123')));
  check('a 3000-byte message bob → alice arrives whole', midAtAlice === `bob: ${bobMid}`,
    `${Buffer.byteLength(bobMid)} bytes of text`);

  await waitFor('every message acknowledged', () => client.allAcknowledged);
  check('everything alice sent was acknowledged', true);

  client.sendText('/quit');
  await waitFor('the server to close alice\'s session', () => aliceClosed.length > 0);
  check('/quit: alice gets "* bye", then the server\'s Close', alice.at(-1) === '* bye'
    && aliceClosed[0] === 'server_closed', `last line "${alice.at(-1)}", ended: ${aliceClosed[0]}`);
  await waitFor('bob to see alice leave', () => bob.lines.out.includes('* alice left'));
  check('bob sees alice leave', true);

  bob.child.stdin.end();
  const bobExit = await bob.child.exited;
  check('the Java client exits 0 (everything it sent was acknowledged)', bobExit.code === 0, `exit ${bobExit.code}`);
}

run(main);
