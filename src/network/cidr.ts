import { isIPv4 } from 'node:net';

/**
 * IPv4 CIDR arithmetic for the VPC model (routes, subnets, security groups).
 * Addresses are 32-bit unsigned integers; a CIDR is (network, prefix length).
 */
export interface Cidr4 {
  text: string;
  network: number;
  prefixLength: number;
}

export function ipv4ToNumber(address: string): number | undefined {
  if (!isIPv4(address)) return undefined;
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function maskOf(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** Parses `a.b.c.d/n`; undefined if malformed. `strict` also rejects host bits set (AWS does for VPC/subnet CIDRs). */
export function parseCidr4(text: string, strict = false): Cidr4 | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = ipv4ToNumber(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (address === undefined || !/^\d{1,2}$/.test(lengthText)) return undefined;
  const prefixLength = Number(lengthText);
  if (prefixLength > 32) return undefined;
  const network = (address & maskOf(prefixLength)) >>> 0;
  if (strict && network !== address) return undefined;
  return { text, network, prefixLength };
}

export function cidrContains(cidr: Cidr4, address: number): boolean {
  return ((address & maskOf(cidr.prefixLength)) >>> 0) === cidr.network;
}

/** Whether every address of `inner` is in `outer`. */
export function cidrCovers(outer: Cidr4, inner: Cidr4): boolean {
  return inner.prefixLength >= outer.prefixLength && cidrContains(outer, inner.network);
}

export function cidrsOverlap(a: Cidr4, b: Cidr4): boolean {
  return cidrContains(a, b.network) || cidrContains(b, a.network);
}
