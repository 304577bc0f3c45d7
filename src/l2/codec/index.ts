// The layer-2 codecs: pure parsers and serializers for Ethernet, ARP, IPv6 and ICMPv6/NDP.
export * from './address.js';
export * from './arp.js';
export * from './constants.js';
export * from './ethernet.js';
export * from './icmpv6.js';
export * from './ipv6.js';
export * from './parsed.js';
