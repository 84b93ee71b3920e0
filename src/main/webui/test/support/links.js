// Two ends of an in-memory datagram link, as ChatClient expects one: `{ send, onDatagram, close, onClose }`.
// `filter(datagram, direction)` returns how many copies arrive (0 drops it, 2 duplicates it); direction
// is 'c2s' or 's2c'. Every datagram sent is recorded.

export function linkPair({ filter = () => 1 } = {}) {
  const sent = { c2s: [], s2c: [] };
  const ends = [end('c2s'), end('s2c')];
  const [client, server] = ends;
  client.peer = server;
  server.peer = client;
  return { client, server, sent };

  function end(direction) {
    const self = {
      receivers: [],
      closers: [],
      closed: false,
      send(datagram) {
        if (self.closed) {
          return;
        }
        sent[direction].push(datagram.slice());
        const copies = filter(datagram, direction);
        for (let i = 0; i < copies; i++) {
          for (const receive of self.peer.receivers) {
            receive(datagram.slice());
          }
        }
      },
      onDatagram(callback) {
        self.receivers.push(callback);
      },
      onClose(callback) {
        self.closers.push(callback);
      },
      close() {
        self.closed = true;
      },
      /** The transport itself going away (a WebSocket closing): tells the user of this end. */
      drop() {
        self.closed = true;
        for (const closed of self.closers) {
          closed();
        }
      },
    };
    return self;
  }
}
