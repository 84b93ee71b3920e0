#!/usr/bin/env python3
"""The variant without the handshake that puts "NAME: " in every text
(../shared/reference/original-clients.md):

1. Sends base64(PEM public key) only; its receive thread is already running.
2. Polls every 0.1 s until the key reply has arrived, then says it is connected.
3. Sends every line as base64(IV || AES-CBC(K, "NAME: line")); "exit" quits without telling the server.
It asks for its name first, before anything goes on the wire. Run it with python3 -u so that its prints
reach a pipe at once."""
import socket
import threading
import time

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
    name = input("Your name: ")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rsa = new_rsa_key()
    threading.Thread(target=receive, args=(sock, rsa), daemon=True).start()
    sock.sendto(public_key_datagram(rsa), server)
    while aes_key is None:
        time.sleep(0.1)
    print("Connected to the server. Type exit to quit.")
    while True:
        line = input()
        if line == "exit":
            break
        sock.sendto(encrypt(aes_key, name + ": " + line), server)


if __name__ == "__main__":
    main()
