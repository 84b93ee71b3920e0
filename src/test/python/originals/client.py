#!/usr/bin/env python3
"""The seed's own client, as it behaves (../shared/reference/original-clients.md, "The seed's own client"):

1. SYN; blocks until SYN-ACK; ACK.
2. A fresh RSA-2048 key, sent as base64(PEM).
3. At once input("Enter your username: ") and the username as plain UTF-8: it does not wait for the key
   reply, so a piped or typed-ahead name follows the key by microseconds.
4. Only then its receive thread, which takes the first datagram it reads as the key reply whatever it is,
   and decrypts and prints every later one (one that fails to decrypt is silently ignored).
5. Each line read is sent as base64(IV || AES-CBC(K, line)); a line read before the key arrived prints
   "Waiting for key exchange to complete..." and is not sent.
Run it with python3 -u so that its prints reach a pipe at once (the wire behaviour is the same)."""
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
    sock.sendto(b"SYN", server)
    while True:
        data, _ = sock.recvfrom(BUFFER)
        if data == b"SYN-ACK":
            break
    sock.sendto(b"ACK", server)
    rsa = new_rsa_key()
    sock.sendto(public_key_datagram(rsa), server)
    username = input("Enter your username: ")
    sock.sendto(username.encode("utf-8"), server)
    threading.Thread(target=receive, args=(sock, rsa), daemon=True).start()
    while True:
        line = input()
        if aes_key is None:
            print("Waiting for key exchange to complete...")
            continue
        sock.sendto(encrypt(aes_key, line), server)


if __name__ == "__main__":
    main()
