import { isIPv4 } from 'node:net';

const SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** A PROXY v1 line, as HAProxy writes it. */
export function proxyV1(source: string, sourcePort: number, destination: string, destinationPort: number): Buffer {
  return Buffer.from(`PROXY ${isIPv4(source) ? 'TCP4' : 'TCP6'} ${source} ${destination} ${sourcePort} ${destinationPort}\r\n`, 'latin1');
}

export interface V2Options {
  source?: string;
  sourcePort?: number;
  destination?: string;
  destinationPort?: number;
  /** AWS's TLV 0xEA, subtype 0x01, as a Network Load Balancer behind PrivateLink sends it. */
  vpceId?: string;
  extraTlvs?: [number, Buffer][];
  /** The LOCAL command (health checks): no addresses. */
  local?: boolean;
}

/** A PROXY v2 header, as an AWS Network Load Balancer writes it. */
export function proxyV2(options: V2Options): Buffer {
  const tlvs = [...(options.extraTlvs ?? [])];
  if (options.vpceId !== undefined) tlvs.push([0xea, Buffer.concat([Buffer.from([0x01]), Buffer.from(options.vpceId, 'latin1')])]);
  const tlvBytes = Buffer.concat(tlvs.map(([type, value]) => Buffer.concat([Buffer.from([type, value.length >> 8, value.length & 0xff]), value])));
  if (options.local) return Buffer.concat([SIGNATURE, Buffer.from([0x20, 0x00, tlvBytes.length >> 8, tlvBytes.length & 0xff]), tlvBytes]);
  const v4 = isIPv4(options.source!);
  const addresses = v4 ? Buffer.alloc(12) : Buffer.alloc(36);
  if (v4) {
    options.source!.split('.').forEach((o, i) => (addresses[i] = Number(o)));
    options.destination!.split('.').forEach((o, i) => (addresses[4 + i] = Number(o)));
    addresses.writeUInt16BE(options.sourcePort!, 8);
    addresses.writeUInt16BE(options.destinationPort!, 10);
  } else {
    ipv6Bytes(options.source!).copy(addresses, 0);
    ipv6Bytes(options.destination!).copy(addresses, 16);
    addresses.writeUInt16BE(options.sourcePort!, 32);
    addresses.writeUInt16BE(options.destinationPort!, 34);
  }
  const length = addresses.length + tlvBytes.length;
  return Buffer.concat([SIGNATURE, Buffer.from([0x21, v4 ? 0x11 : 0x21, length >> 8, length & 0xff]), addresses, tlvBytes]);
}

/** 16 bytes of an IPv6 address (`::` expanded; a trailing dotted IPv4 allowed). */
function ipv6Bytes(address: string): Buffer {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const o = dotted[1].split('.').map(Number);
    text = text.slice(0, -dotted[1].length) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const bytes = Buffer.alloc(16);
  groups.forEach((g, i) => bytes.writeUInt16BE(parseInt(g, 16), i * 2));
  return bytes;
}
