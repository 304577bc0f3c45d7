# Replays the UDP payloads of a pcap file (Ethernet + IPv4) to ADDRESS:PORT, sent from the
# captured source address and port without owning that address (IP_TRANSPARENT), as an attacker
# on the segment without the gossip key would (issue 12 #3).
# Usage: replay-udp.py PCAP ADDRESS PORT
import socket
import struct
import sys

IP_FREEBIND = 15
IP_TRANSPARENT = 19


def payloads(path):
    with open(path, 'rb') as capture:
        data = capture.read()
    offset = 24
    while offset + 16 <= len(data):
        length = struct.unpack_from('<I', data, offset + 8)[0]
        frame = data[offset + 16: offset + 16 + length]
        offset += 16 + length
        if len(frame) < 14 + 20 or frame[12:14] != b'\x08\x00':
            continue
        ip = frame[14:]
        header = (ip[0] & 0x0F) * 4
        if ip[9] != 17:
            continue
        source = socket.inet_ntoa(ip[12:16])
        source_port = struct.unpack_from('!H', ip, header)[0]
        yield source, source_port, ip[header + 8:]


def main():
    path, address, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sockets = {}
    sent = 0
    for source, source_port, payload in payloads(path):
        key = (source, source_port)
        if key not in sockets:
            sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sender.setsockopt(socket.SOL_IP, IP_FREEBIND, 1)
            sender.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
            sender.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sender.bind(key)
            sockets[key] = sender
        sockets[key].sendto(payload, (address, port))
        sent += 1
    print(sent)


main()
