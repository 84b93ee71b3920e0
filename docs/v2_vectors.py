#!/usr/bin/env python3
"""Computes the v2 test vectors printed in docs/PROTOCOL.md, independently of the Java code.

Built from the byte layouts in PROTOCOL.md only: pycryptodome (Cryptodome) for HKDF-SHA256 and AES-128-GCM,
pyca/cryptography for Ed25519 (pycryptodome 3.11 has none), hashlib and struct for the rest.
Prints the JSON members to paste at the end of the ```json test-vectors block; ProtocolDocVectorsTest and
V2DocVectorsTest then check that the Java code produces the same bytes.

    /usr/bin/python3 docs/v2_vectors.py
"""
import hashlib
import json
import struct

from Cryptodome.Cipher import AES
from Cryptodome.Hash import SHA256
from Cryptodome.Protocol.KDF import HKDF
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

MAGIC = b"\xff\x02"
PADDED = 1200


def h(b):
    return b.hex()


# ---- frames ---------------------------------------------------------------------------------------
client_nonce = bytes(range(0x00, 0x20))
cookie = bytes(range(0xA0, 0xB0))
client_key = bytes.fromhex("c11e47")  # placeholder: the codec carries the key as opaque bytes
name = "alice"

hello = MAGIC + b"\x01" + client_nonce
hello = hello + bytes(PADDED - len(hello))
retry = MAGIC + b"\x02" + client_nonce + cookie
name_bytes = name.encode("utf-8")
key_offer = (MAGIC + b"\x03" + cookie + client_nonce + struct.pack(">H", len(client_key)) + client_key
             + struct.pack(">B", len(name_bytes)) + name_bytes)
key_offer_unpadded_length = len(key_offer)
key_offer = key_offer + bytes(PADDED - len(key_offer))

# RFC 8032 section 7.1, TEST 1: a published Ed25519 key, so anyone can re-derive the signature.
ed_seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
ed_private = Ed25519PrivateKey.from_private_bytes(ed_seed)
identity_key = ed_private.public_key().public_bytes(serialization.Encoding.DER,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)
server_nonce = bytes(range(0x40, 0x60))
session_id = bytes.fromhex("0123456789abcdef")
wrapped = bytes.fromhex("5ec2e7")  # placeholder: RSA-OAEP output is random, so no fixed vector exists
limits = (10, 20, 65536, 180, 10)
signed_part = (MAGIC + b"\x04" + server_nonce + session_id + struct.pack(">H", len(identity_key)) + identity_key
               + struct.pack(">H", len(wrapped)) + wrapped + struct.pack(">HHIHH", *limits))
transcript_hash = hashlib.sha256(b"ciphergram v2 handshake" + key_offer + signed_part).digest()
signature = ed_private.sign(transcript_hash)
key_reply = signed_part + struct.pack(">H", len(signature)) + signature

# ---- key schedule ---------------------------------------------------------------------------------
secret = bytes(range(0x60, 0x80))


def direction_keys(salt):
    def expand(label, length):
        return HKDF(secret, length, salt, SHA256, context=label.encode("ascii"))
    return {
        "c2s_key_hex": h(expand("ciphergram v2 c2s key", 16)),
        "c2s_iv_hex": h(expand("ciphergram v2 c2s iv", 12)),
        "s2c_key_hex": h(expand("ciphergram v2 s2c key", 16)),
        "s2c_iv_hex": h(expand("ciphergram v2 s2c iv", 12)),
    }


generation0 = direction_keys(transcript_hash)
salt1 = hashlib.sha256(b"ciphergram v2 key update" + transcript_hash + struct.pack(">I", 1)).digest()
generation1 = direction_keys(salt1)


# ---- records --------------------------------------------------------------------------------------
def record(keys, direction, phase, seq, inner):
    key = bytes.fromhex(keys[direction + "_key_hex"])
    iv = bytes.fromhex(keys[direction + "_iv_hex"])
    nonce = bytes(a ^ b for a, b in zip(iv, bytes(4) + struct.pack(">Q", seq)))
    header = MAGIC + b"\x05" + session_id + struct.pack(">BQ", phase, seq)
    gcm = AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=16)
    gcm.update(header)
    ciphertext, tag = gcm.encrypt_and_digest(inner)
    return {"direction": direction, "key_phase": phase, "sequence": seq, "nonce_hex": h(nonce),
            "inner_hex": h(inner), "datagram_hex": h(header + ciphertext + tag)}


reliable_hello = b"\x01" + struct.pack(">IIHHH", 0, 0, 0, 1, 5) + b"hello"
ack_of_first = b"\x02" + struct.pack(">IB", 1, 0)
records = [
    record(generation0, "c2s", 0, 0, reliable_hello),
    record(generation0, "s2c", 0, 0, ack_of_first),
    record(generation0, "s2c", 0, 1, b"\x11"),
    record(generation1, "c2s", 1, 0, b"\x10"),
]

vectors = {
    "v2_frames": {
        "client_nonce_hex": h(client_nonce),
        "cookie_hex": h(cookie),
        "hello_hex": h(hello[:35]), "hello_length": len(hello),
        "retry_hex": h(retry),
        "key_offer": {"client_public_key_hex": h(client_key), "name": name,
                      "hex": h(key_offer[:key_offer_unpadded_length]), "length": len(key_offer)},
        "key_reply": {"server_nonce_hex": h(server_nonce), "session_id_hex": h(session_id),
                      "identity_seed_hex": h(ed_seed), "identity_key_hex": h(identity_key),
                      "wrapped_secret_hex": h(wrapped),
                      "limits": dict(zip(["messages_per_second", "burst", "max_message_bytes",
                                          "idle_timeout_seconds", "keepalive_seconds"], limits)),
                      "transcript_hash_hex": h(transcript_hash), "signature_hex": h(signature),
                      "hex": h(key_reply)},
    },
    "v2_key_schedule": {
        "secret_hex": h(secret), "transcript_hash_hex": h(transcript_hash),
        "generation_0": generation0,
        "generation_1": dict(salt_hex=h(salt1), **generation1),
    },
    "v2_records": {"session_id_hex": h(session_id), "records": records},
}

if __name__ == "__main__":
    # One member per line, as the classic vectors are printed; ", " separators keep it greppable.
    lines = []
    for key, value in vectors.items():
        if key == "v2_records":
            inner = ",\n    ".join(json.dumps(r) for r in value["records"])
            lines.append('  "v2_records": {"session_id_hex": "%s", "records": [\n    %s\n  ]}'
                         % (value["session_id_hex"], inner))
        else:
            members = ",\n    ".join("%s: %s" % (json.dumps(k), json.dumps(v, ensure_ascii=False))
                                      for k, v in value.items())
            lines.append('  %s: {\n    %s\n  }' % (json.dumps(key), members))
    print(",\n".join(lines))
