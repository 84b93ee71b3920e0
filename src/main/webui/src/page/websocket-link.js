// The link to the relay in a browser: a WebSocket to the gateway at /ws, which carries exactly one v2
// datagram per binary frame in each direction (the gateway's contract; it never sees keys or text).

/**
 * Opens the WebSocket and resolves with a ChatClient link once it is open; rejects if it closes first
 * (the server is unreachable).
 */
export function openWebSocketLink(url) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    const receivers = [];
    const closers = [];
    let opened = false;
    const link = {
      send(datagram) {
        if (socket.readyState === WebSocket.OPEN) {
          socket.send(datagram);
        }
      },
      onDatagram(callback) {
        receivers.push(callback);
      },
      onClose(callback) {
        closers.push(callback);
      },
      close() {
        socket.close();
      },
    };
    socket.onopen = () => {
      opened = true;
      resolve(link);
    };
    socket.onmessage = (event) => {
      if (event.data instanceof ArrayBuffer) { // the gateway sends binary frames only
        const datagram = new Uint8Array(event.data);
        receivers.forEach((receive) => receive(datagram));
      }
    };
    // An error event is always followed by a close event, which says all there is to say.
    socket.onclose = () => {
      if (opened) {
        closers.forEach((closed) => closed());
      } else {
        reject(new Error('the WebSocket did not open'));
      }
    };
  });
}
