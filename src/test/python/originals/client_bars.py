#!/usr/bin/env python3
"""The variant without the handshake that puts NAME|| in every text
(../shared/reference/original-clients.md):

1. Sends base64(PEM public key) only: no SYN, no ACK, no username datagram.
2. Starts its receive thread at once and busy-waits until the key reply has arrived.
3. Then asks for a name (kept locally, never sent on its own) and sends every line as
   base64(IV || AES-CBC(K, "NAME||line")). Empty lines are not sent.
Run it with python3 -u so that its prints reach a pipe at once."""
import socket
import threading

from _common import BUFFER, decrypt, encrypt, new_rsa_key, public_key_datagram, server_address, unwrap_key

aes_key = None


def receive(sock, rsa):
    global aes_key
    while True:
        data, _ = sock.recvfrom(BUFFER)
        if aes_key is None:
            aes_key = unwrap_key(rsa, data)
            continue
        try:
            print(decrypt(aes_key, data))
        except Exception:
            pass


def main():
    server = server_address()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rsa = new_rsa_key()
    sock.sendto(public_key_datagram(rsa), server)
    threading.Thread(target=receive, args=(sock, rsa), daemon=True).start()
    while aes_key is None:
        pass
    name = input("Enter your name: ")
    while True:
        line = input()
        if not line:
            continue
        sock.sendto(encrypt(aes_key, name + "||" + line), server)


if __name__ == "__main__":
    main()
