// Frames captured with tcpdump between two network namespaces (Linux 6.x): ndisc6 1.0.5 solicited
// 2001:db8:1::10, and the kernel, which owned that address, advertised it. The kernel is the
// independent oracle for our NA bytes and checksum. One wire field per line.

/** ndisc6's multicast NS from fe80::ff:fe00:2 (MAC 02:00:00:00:00:02) for 2001:db8:1::10. */
export const NDISC6_SOLICITATION = [
  '3333ff000010', // Ethernet destination: 33:33 + low 32 bits of ff02::1:ff00:10
  '020000000002', // Ethernet source
  '86dd', // EtherType IPv6
  '60021451', // version 6, traffic class 0, flow label 0x21451
  '0020', // payload length 32
  '3a', // next header ICMPv6
  'ff', // hop limit 255
  'fe80000000000000000000fffe000002', // source fe80::ff:fe00:2
  'ff0200000000000000000001ff000010', // destination ff02::1:ff00:10
  '87', // type 135 NS
  '00', // code
  '4c40', // checksum
  '00000000', // reserved
  '20010db8000100000000000000000010', // target 2001:db8:1::10
  '01', // option: source link-layer address
  '01', // length 1 (8 bytes)
  '020000000002', // MAC
].join('');

/** The kernel's solicited NA answering it: source = target, S=1 O=1, TLLA 02:00:00:00:00:01. */
export const KERNEL_ADVERTISEMENT = [
  '020000000002', // Ethernet destination: the NS's SLLA
  '020000000001', // Ethernet source
  '86dd', // EtherType IPv6
  '60000000', // version 6, traffic class 0, flow label 0
  '0020', // payload length 32
  '3a', // next header ICMPv6
  'ff', // hop limit 255
  '20010db8000100000000000000000010', // source: the target itself
  'fe80000000000000000000fffe000002', // destination: the NS source
  '88', // type 136 NA
  '00', // code
  'ba8b', // checksum
  '60000000', // R=0 S=1 O=1
  '20010db8000100000000000000000010', // target
  '02', // option: target link-layer address
  '01', // length 1
  '020000000001', // MAC
].join('');

/** The kernel's ARP reply to arping from 02:..:02 / 198.51.100.2 for 198.51.100.1 (42 bytes on veth). */
export const KERNEL_ARP_REPLY_HEADER = [
  '020000000002', // Ethernet destination: the requester
  '020000000001', // Ethernet source
  '0806', // EtherType ARP
  '0001', // hardware type Ethernet
  '0800', // protocol type IPv4
  '06', // hardware length
  '04', // protocol length
  '0002', // operation reply
  '020000000001', // sender MAC
  'c6336401', // sender IP 198.51.100.1
  '020000000002', // target MAC
  'c6336402', // target IP 198.51.100.2
].join('');

/** Bytes of a hex string. */
export function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/** arping 2.23's broadcast request from 02:..:02 / 198.51.100.2 for 198.51.100.1, as captured (58 bytes). */
export const ARPING_REQUEST = [
  'ffffffffffff', // Ethernet destination: broadcast
  '020000000002', // Ethernet source
  '0806', // EtherType ARP
  '0001', // hardware type Ethernet
  '0800', // protocol type IPv4
  '06', // hardware length
  '04', // protocol length
  '0001', // operation request
  '020000000002', // sender MAC
  'c6336402', // sender IP 198.51.100.2
  '000000000000', // target MAC (unknown)
  'c6336401', // target IP 198.51.100.1
  '00'.repeat(16), // arping's own padding
].join('');
