#!/usr/bin/env python3
"""A client of the original (seed) system's wire format, written here from its description.

It speaks exactly what the seed's Python clients speak, with pycryptodome:
  SYN -> SYN-ACK -> ACK, then base64(PEM RSA-2048 public key), then reads the next datagram as
  base64(RSA-OAEP-SHA1(AES-128 key)), then sends the username as plain UTF-8; messages both ways are
  base64(IV(16) || AES-128-CBC-PKCS7(UTF-8 text)), received into a 4096-byte buffer.
With --no-handshake it is the common variant that sends only its key and no username, and puts its own
display name inside every text ("NAME: text").

Lines from stdin are sent; every message received is printed on stdout, one line each. Status goes to
stderr. Used by PythonSeedClientTest with Debian's python3 and python3-pycryptodome (module Cryptodome).
"""
import argparse
import base64
import socket
import sys
import threading

try:
    from Cryptodome.Cipher import AES, PKCS1_OAEP
    from Cryptodome.PublicKey import RSA
    from Cryptodome.Random import get_random_bytes
    from Cryptodome.Util.Padding import pad, unpad
except ImportError:  # pip's pycryptodome installs the same API as "Crypto"
    from Crypto.Cipher import AES, PKCS1_OAEP
    from Crypto.PublicKey import RSA
    from Crypto.Random import get_random_bytes
    from Crypto.Util.Padding import pad, unpad

BUFFER = 4096


def encrypt(key, text):
    iv = get_random_bytes(16)
    return base64.b64encode(iv + AES.new(key, AES.MODE_CBC, iv).encrypt(pad(text.encode("utf-8"), 16)))


def decrypt(key, datagram):
    raw = base64.b64decode(datagram)
    return unpad(AES.new(key, AES.MODE_CBC, raw[:16]).decrypt(raw[16:]), 16).decode("utf-8")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12345)
    parser.add_argument("--name", default="seed")
    parser.add_argument("--no-handshake", action="store_true")
    args = parser.parse_args()

    server = (args.host, args.port)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(10)

    if not args.no_handshake:
        sock.sendto(b"SYN", server)
        reply, _ = sock.recvfrom(BUFFER)
        if reply != b"SYN-ACK":
            print("unexpected handshake reply", file=sys.stderr)
            return 2
        sock.sendto(b"ACK", server)

    rsa = RSA.generate(2048)
    sock.sendto(base64.b64encode(rsa.publickey().export_key()), server)
    encrypted_key, _ = sock.recvfrom(BUFFER)
    key = PKCS1_OAEP.new(rsa).decrypt(base64.b64decode(encrypted_key))
    if not args.no_handshake:
        sock.sendto(args.name.encode("utf-8"), server)
    print("ready", file=sys.stderr, flush=True)

    sock.settimeout(None)

    def receive():
        while True:
            try:
                datagram, _ = sock.recvfrom(BUFFER)
            except OSError:
                return
            try:
                print(decrypt(key, datagram), flush=True)
            except (ValueError, KeyError):
                print("undecryptable datagram", file=sys.stderr, flush=True)

    threading.Thread(target=receive, daemon=True).start()
    for line in sys.stdin:
        text = line.rstrip("\n")
        if not text:
            continue
        if args.no_handshake:
            text = args.name + ": " + text
        sock.sendto(encrypt(key, text), server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
