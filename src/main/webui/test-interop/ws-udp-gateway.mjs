// A stand-in for the server's WebSocket gateway, for trying the page before the real one exists: it
// serves dist/ over HTTP and bridges each WebSocket at /ws to its own UDP socket toward a Ciphergram
// server, one binary frame per datagram each way (the gateway's contract). Text frames are refused.
// It never looks inside a datagram. Test tool only: plain RFC 6455, no extensions, loopback use.
//
//   npm run build && node test-interop/ws-udp-gateway.mjs UDP_PORT [HTTP_PORT]
// then open http://127.0.0.1:HTTP_PORT/ (default HTTP port 8081). browser-e2e.mjs uses startGateway().

import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };
const MAX_FRAME = 64 * 1024;

/** Starts the gateway; resolves with `{ port, dropConnections(), close() }`. */
export async function startGateway({ udpPort, udpHost = '127.0.0.1', httpPort = 0 }) {
  const sockets = new Set();
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname));
    const file = join(DIST, path.endsWith('/') ? `${path}index.html` : path);
    try {
      if (!file.startsWith(DIST)) {
        throw new Error('outside dist');
      }
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  server.on('upgrade', (request, socket) => {
    const key = request.headers['sec-websocket-key'];
    if (new URL(request.url, 'http://x').pathname !== '/ws' || typeof key !== 'string') {
      socket.destroy();
      return;
    }
    const accept = createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
      + `Sec-WebSocket-Accept: ${accept}\r\n\r\n`);
    sockets.add(socket);
    bridge(socket, udpHost, udpPort, () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(httpPort, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    /** Cuts every WebSocket at once, as a failing network or a restarting gateway would. */
    dropConnections() {
      sockets.forEach((s) => s.destroy());
    },
    close() {
      sockets.forEach((s) => s.destroy());
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

function bridge(socket, udpHost, udpPort, done) {
  const udp = dgram.createSocket('udp4');
  udp.on('error', () => {}); // ICMP errors are losses; the protocol retries
  udp.connect(udpPort, udpHost);
  udp.on('message', (datagram) => socket.writable && socket.write(frame(0x2, datagram)));
  let buffered = Buffer.alloc(0);
  const end = () => {
    try {
      udp.close();
    } catch {
      // already closed
    }
    done();
  };
  socket.on('close', end);
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (let parsed = parse(buffered); parsed !== null; parsed = parse(buffered)) {
      buffered = buffered.subarray(parsed.size);
      if (parsed.opcode === 0x2 && parsed.fin) {
        udp.send(parsed.payload);
      } else if (parsed.opcode === 0x9) {
        socket.write(frame(0xa, parsed.payload));
      } else if (parsed.opcode === 0x8) {
        socket.end(frame(0x8, parsed.payload.subarray(0, 2)));
        return;
      } else if (parsed.opcode !== 0xa) {
        socket.end(frame(0x8, Buffer.from([0x03, 0xeb]))); // 1003: only binary frames, one datagram each
        return;
      }
    }
  });
}

/** One client frame from the front of `data`, or null if it has not all arrived. Clients always mask. */
function parse(data) {
  if (data.length < 2) {
    return null;
  }
  let length = data[1] & 0x7f;
  let at = 2;
  if (length === 126) {
    if (data.length < 4) {
      return null;
    }
    length = data.readUInt16BE(2);
    at = 4;
  } else if (length === 127) {
    if (data.length < 10) {
      return null;
    }
    length = Number(data.readBigUInt64BE(2));
    at = 10;
  }
  if (length > MAX_FRAME) {
    return { opcode: -1, fin: true, payload: Buffer.alloc(0), size: data.length };
  }
  const masked = (data[1] & 0x80) !== 0;
  const maskAt = at;
  at += masked ? 4 : 0;
  if (data.length < at + length) {
    return null;
  }
  const payload = Buffer.from(data.subarray(at, at + length));
  if (masked) {
    for (let i = 0; i < payload.length; i++) {
      payload[i] ^= data[maskAt + (i % 4)];
    }
  }
  return { opcode: data[0] & 0x0f, fin: (data[0] & 0x80) !== 0, payload, size: at + length };
}

/** A server frame: final, unmasked. */
function frame(opcode, payload) {
  const header = payload.length < 126 ? Buffer.from([0x80 | opcode, payload.length])
    : Buffer.from([0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const udpPort = Number(process.argv[2]);
  if (!(udpPort > 0)) {
    process.stderr.write('usage: node test-interop/ws-udp-gateway.mjs UDP_PORT [HTTP_PORT]\n');
    process.exit(2);
  }
  const gateway = await startGateway({ udpPort, httpPort: Number(process.argv[3] ?? 8081) });
  process.stdout.write(`page at http://127.0.0.1:${gateway.port}/, WebSocket /ws → UDP 127.0.0.1:${udpPort}\n`);
}
