/**
 * The PROXY protocol (HAProxy's spec, v1 text and v2 binary), as an AWS Network Load Balancer
 * sends it: the first bytes of a connection, before the TLS ClientHello or the HTTP request,
 * name the client's address and, through PrivateLink, the VPC endpoint (v2 TLV 0xEA, subtype
 * 0x01). Pure: bytes in, a verdict out.
 */

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** v1's longest line, CRLF included (the spec's figure). */
const V1_MAX_BYTES = 107;
const V2_FIXED_BYTES = 16;
/** AWS's TLV type, and its subtype carrying the VPC endpoint ID. */
const PP2_TYPE_AWS = 0xea;
const PP2_SUBTYPE_AWS_VPCE_ID = 0x01;

export interface ProxyAddress {
  address: string;
  port: number;
}

export interface ProxyHeader {
  version: 1 | 2;
  /** `local`: the proxy's own connection (a health check) or v1 UNKNOWN: the socket's peer stands. */
  command: 'proxy' | 'local';
  source?: ProxyAddress;
  destination?: ProxyAddress;
  /** The VPC endpoint the client came through (PrivateLink), from AWS's TLV. */
  vpceId?: string;
}

export type ProxyParse =
  /** Not enough bytes yet to decide. */
  | { kind: 'incomplete' }
  /** The connection does not start with a PROXY header. */
  | { kind: 'absent' }
  | { kind: 'malformed'; reason: string }
  | { kind: 'header'; header: ProxyHeader; headerBytes: number };

/** Reads a PROXY header at the start of `data` (the bytes received so far). */
export function parseProxyHeader(data: Buffer, maxBytes: number): ProxyParse {
  if (startsLike(data, V2_SIGNATURE)) return data.length < V2_SIGNATURE.length ? { kind: 'incomplete' } : parseV2(data, maxBytes);
  if (startsLike(data, V1_PREFIX)) return data.length < V1_PREFIX.length ? { kind: 'incomplete' } : parseV1(data);
  return { kind: 'absent' };
}

/** Whether `data` and `prefix` agree on the bytes both have (an empty `data` agrees with any). */
function startsLike(data: Buffer, prefix: Buffer): boolean {
  const n = Math.min(data.length, prefix.length);
  return data.subarray(0, n).equals(prefix.subarray(0, n));
}

function parseV1(data: Buffer): ProxyParse {
  const end = data.indexOf('\r\n', 0, 'latin1');
  if (end < 0) return data.length >= V1_MAX_BYTES ? { kind: 'malformed', reason: 'v1 line longer than 107 bytes' } : { kind: 'incomplete' };
  if (end + 2 > V1_MAX_BYTES) return { kind: 'malformed', reason: 'v1 line longer than 107 bytes' };
  const parts = data.toString('latin1', 0, end).split(' ');
  if (parts[1] === 'UNKNOWN') return { kind: 'header', header: { version: 1, command: 'local' }, headerBytes: end + 2 };
  if (parts.length !== 6 || (parts[1] !== 'TCP4' && parts[1] !== 'TCP6')) return { kind: 'malformed', reason: 'v1 expects PROXY TCP4|TCP6 SRC DST SPORT DPORT' };
  const family = parts[1] === 'TCP4' ? 4 : 6;
  const source = v1Address(parts[2], parts[4], family);
  const destination = v1Address(parts[3], parts[5], family);
  if (!source || !destination) return { kind: 'malformed', reason: 'v1 address or port invalid' };
  return { kind: 'header', header: { version: 1, command: 'proxy', source, destination }, headerBytes: end + 2 };
}

function v1Address(address: string, port: string, family: 4 | 6): ProxyAddress | undefined {
  if (!/^(0|[1-9]\d{0,4})$/.test(port) || Number(port) > 65535) return undefined;
  const valid = family === 4 ? /^(\d{1,3})(\.\d{1,3}){3}$/.test(address) && address.split('.').every((o) => Number(o) <= 255 && !/^0\d/.test(o)) : /^[0-9a-fA-F:.]+$/.test(address) && address.includes(':');
  return valid ? { address: family === 6 ? address.toLowerCase() : address, port: Number(port) } : undefined;
}

function parseV2(data: Buffer, maxBytes: number): ProxyParse {
  if (data.length < V2_FIXED_BYTES) return { kind: 'incomplete' };
  const versionCommand = data[12];
  if (versionCommand >> 4 !== 2) return { kind: 'malformed', reason: `v2 version ${versionCommand >> 4}` };
  const command = versionCommand & 0x0f;
  if (command > 1) return { kind: 'malformed', reason: `v2 command ${command}` };
  const length = data.readUInt16BE(14);
  if (V2_FIXED_BYTES + length > maxBytes) return { kind: 'malformed', reason: `v2 header of ${V2_FIXED_BYTES + length} bytes, over ${maxBytes}` };
  if (data.length < V2_FIXED_BYTES + length) return { kind: 'incomplete' };
  const block = data.subarray(V2_FIXED_BYTES, V2_FIXED_BYTES + length);
  const addresses = v2Addresses(data[13], block);
  if (addresses === 'short') return { kind: 'malformed', reason: 'v2 address block shorter than its family needs' };
  const tlvs = v2Tlvs(block.subarray(addresses.bytes));
  if (tlvs === 'malformed') return { kind: 'malformed', reason: 'v2 TLV runs past the header' };
  const header: ProxyHeader = { version: 2, command: command === 1 && addresses.source ? 'proxy' : 'local' };
  if (header.command === 'proxy') {
    header.source = addresses.source;
    header.destination = addresses.destination;
  }
  if (tlvs.vpceId !== undefined) header.vpceId = tlvs.vpceId;
  return { kind: 'header', header, headerBytes: V2_FIXED_BYTES + length };
}

interface V2Addresses {
  source?: ProxyAddress;
  destination?: ProxyAddress;
  /** How much of the block the addresses take; TLVs follow. */
  bytes: number;
}

/** The address block by family: 0x1_ IPv4 (12 bytes), 0x2_ IPv6 (36), 0x3_ unix (216, no address kept), 0x0_ none. */
function v2Addresses(familyProtocol: number, block: Buffer): V2Addresses | 'short' {
  const family = familyProtocol >> 4;
  const size = [0, 12, 36, 216][family];
  if (size === undefined) return { bytes: block.length }; // unknown family: the receiver skips it, per the spec
  if (block.length < size) return 'short';
  if (family === 1) {
    const ip = (offset: number) => [0, 1, 2, 3].map((i) => block[offset + i]).join('.');
    return { source: { address: ip(0), port: block.readUInt16BE(8) }, destination: { address: ip(4), port: block.readUInt16BE(10) }, bytes: size };
  }
  if (family === 2) {
    const ip = (offset: number) => compressIpv6(block.subarray(offset, offset + 16));
    return { source: { address: ip(0), port: block.readUInt16BE(32) }, destination: { address: ip(16), port: block.readUInt16BE(34) }, bytes: size };
  }
  return { bytes: size };
}

/** TLVs: type (1 byte), length (2, big-endian), value. Unknown types are skipped. */
function v2Tlvs(tlvs: Buffer): { vpceId?: string } | 'malformed' {
  const found: { vpceId?: string } = {};
  let offset = 0;
  while (offset < tlvs.length) {
    if (offset + 3 > tlvs.length) return 'malformed';
    const type = tlvs[offset];
    const length = tlvs.readUInt16BE(offset + 1);
    const value = tlvs.subarray(offset + 3, offset + 3 + length);
    if (value.length < length) return 'malformed';
    if (type === PP2_TYPE_AWS && length > 1 && value[0] === PP2_SUBTYPE_AWS_VPCE_ID) found.vpceId = value.toString('latin1', 1);
    offset += 3 + length;
  }
  return found;
}

/** An IPv6 address as sockets report it (RFC 5952: lower case, the longest run of zero groups as `::`), IPv4-mapped as plain IPv4. */
function compressIpv6(bytes: Buffer): string {
  const groups = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => bytes.readUInt16BE(i * 2));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
