#!/usr/bin/env python3
"""Sends UDP datagrams with a forged source address, as any off-path attacker with a raw socket can.

Usage: spoof.py SRC_IP SRC_PORT DST_IP DST_PORT HEX_PAYLOAD [HEX_PAYLOAD ...]
Needs root (a raw socket). Used by SpoofedSourceTest on loopback only.
"""
import socket
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def datagram(src, sport, dst, dport, payload):
    udp_len = 8 + len(payload)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, socket.IPPROTO_UDP, udp_len)
    header = struct.pack("!HHHH", sport, dport, udp_len, 0)
    udp = struct.pack("!HHHH", sport, dport, udp_len, checksum(pseudo + header + payload) or 0xFFFF) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0x4000, 64, socket.IPPROTO_UDP, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + udp


def main():
    src, sport, dst, dport = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for payload in sys.argv[5:]:
        sock.sendto(datagram(src, sport, dst, dport, bytes.fromhex(payload)), (dst, 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
