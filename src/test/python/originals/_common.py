"""What the three original clients share: pycryptodome's RSA-OAEP (SHA-1) and AES-128-CBC with PKCS#7 and a
random IV, base64 on the wire, 4096-byte receive buffers. Debian's python3-pycryptodome installs the module
as "Cryptodome"; pip's pycryptodome as "Crypto"."""
import argparse
import base64

try:
    from Cryptodome.Cipher import AES, PKCS1_OAEP
    from Cryptodome.PublicKey import RSA
    from Cryptodome.Random import get_random_bytes
    from Cryptodome.Util.Padding import pad, unpad
except ImportError:
    from Crypto.Cipher import AES, PKCS1_OAEP
    from Crypto.PublicKey import RSA
    from Crypto.Random import get_random_bytes
    from Crypto.Util.Padding import pad, unpad

BUFFER = 4096


def server_address():
    """The originals talk to a fixed host and port; the tests choose them (nothing else differs)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12345)
    args = parser.parse_args()
    return args.host, args.port


def new_rsa_key():
    return RSA.generate(2048)


def public_key_datagram(rsa):
    return base64.b64encode(rsa.publickey().export_key())


def unwrap_key(rsa, datagram):
    return PKCS1_OAEP.new(rsa).decrypt(base64.b64decode(datagram))


def encrypt(key, text):
    iv = get_random_bytes(16)
    return base64.b64encode(iv + AES.new(key, AES.MODE_CBC, iv).encrypt(pad(text.encode("utf-8"), 16)))


def decrypt(key, datagram):
    raw = base64.b64decode(datagram)
    return unpad(AES.new(key, AES.MODE_CBC, raw[:16]).decrypt(raw[16:]), 16).decode("utf-8")
