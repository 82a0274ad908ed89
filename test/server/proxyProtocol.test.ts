import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseProxyHeader } from '../../src/server/proxyProtocol.js';
import { proxyV1, proxyV2 } from '../support/proxyProtocol.js';

const MAX = 4096;
const parse = (data: Buffer | string) => parseProxyHeader(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, MAX);

describe('PROXY protocol v1', () => {
  it('reads TCP4 and TCP6 lines, and says how many bytes the header took', () => {
    const text = 'PROXY TCP4 203.0.113.7 10.0.0.5 51000 443\r\nGET / HTTP/1.1\r\n';
    assert.deepEqual(parse(text), { kind: 'header', headerBytes: 43, header: { version: 1, command: 'proxy', source: { address: '203.0.113.7', port: 51000 }, destination: { address: '10.0.0.5', port: 443 } } });
    const six = parse('PROXY TCP6 2001:DB8::1 2001:db8::2 1 2\r\n');
    assert.equal(six.kind === 'header' && six.header.source?.address, '2001:db8::1');
    assert.deepEqual(parse('PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n'), { kind: 'header', headerBytes: 35, header: { version: 1, command: 'local' } });
  });

  it('waits for more bytes while the line may still be a header, and tells a request from one', () => {
    assert.deepEqual(parse(''), { kind: 'incomplete' });
    assert.deepEqual(parse('PRO'), { kind: 'incomplete' });
    assert.deepEqual(parse('PROXY TCP4 1.2.3.4'), { kind: 'incomplete' });
    assert.deepEqual(parse('POST / HTTP/1.1\r\n'), { kind: 'absent' });
    assert.deepEqual(parse(Buffer.from([0x16, 0x03, 0x01])), { kind: 'absent' }); // a TLS ClientHello
  });

  it('refuses malformed lines', () => {
    for (const line of ['PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n', 'PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n', 'PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n', 'PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n', `PROXY TCP4 ${'1'.repeat(120)}`]) {
      assert.equal(parse(line).kind, 'malformed', line);
    }
  });
});

describe('PROXY protocol v2', () => {
  it("reads an IPv4 header with AWS's VPC endpoint TLV among others", () => {
    const header = proxyV2({ source: '10.1.2.3', sourcePort: 40000, destination: '10.0.0.5', destinationPort: 443, vpceId: 'vpce-0123456789abcdef0', extraTlvs: [[0x04, Buffer.from('noop')]] });
    const parsed = parse(Buffer.concat([header, Buffer.from('\x16\x03\x01', 'latin1')]));
    assert.deepEqual(parsed, { kind: 'header', headerBytes: header.length, header: { version: 2, command: 'proxy', source: { address: '10.1.2.3', port: 40000 }, destination: { address: '10.0.0.5', port: 443 }, vpceId: 'vpce-0123456789abcdef0' } });
  });

  it('reads IPv6 addresses as sockets report them', () => {
    const parsed = parse(proxyV2({ source: '2001:db8::7', sourcePort: 1, destination: '::ffff:10.0.0.1', destinationPort: 2 }));
    assert.equal(parsed.kind === 'header' && parsed.header.source?.address, '2001:db8::7');
    assert.equal(parsed.kind === 'header' && parsed.header.destination?.address, '10.0.0.1');
  });

  it('treats LOCAL (a health check) as the proxy itself', () => {
    const parsed = parse(proxyV2({ local: true }));
    assert.deepEqual(parsed.kind === 'header' && parsed.header, { version: 2, command: 'local' });
  });

  it('waits for the whole header, whatever the split', () => {
    const header = proxyV2({ source: '10.1.2.3', sourcePort: 1, destination: '10.0.0.5', destinationPort: 2, vpceId: 'vpce-1' });
    for (let cut = 0; cut < header.length; cut++) assert.deepEqual(parse(header.subarray(0, cut)), { kind: 'incomplete' }, `cut at ${cut}`);
  });

  it('refuses a wrong version or command, a TLV past the end, a short address block, a header over the limit', () => {
    const good = proxyV2({ source: '10.1.2.3', sourcePort: 1, destination: '10.0.0.5', destinationPort: 2, vpceId: 'vpce-1' });
    const withByte = (offset: number, value: number) => Buffer.from(good).fill(value, offset, offset + 1);
    assert.equal(parse(withByte(12, 0x11)).kind, 'malformed'); // version 1 in a v2 signature
    assert.equal(parse(withByte(12, 0x22)).kind, 'malformed'); // command 2
    const tlvPastEnd = Buffer.from(good);
    tlvPastEnd.writeUInt16BE(200, 16 + 12 + 1); // the TLV claims 200 bytes
    assert.equal(parse(tlvPastEnd).kind, 'malformed');
    const short = Buffer.from(good.subarray(0, 16 + 4));
    short.writeUInt16BE(4, 14);
    assert.equal(parse(short).kind, 'malformed');
    const huge = Buffer.from(good);
    huge.writeUInt16BE(65000, 14);
    assert.equal(parse(huge).kind, 'malformed');
  });

  it('a v1 header is what the v1 helper writes', () => {
    assert.equal(proxyV1('1.2.3.4', 5, '6.7.8.9', 10).toString('latin1'), 'PROXY TCP4 1.2.3.4 6.7.8.9 5 10\r\n');
  });
});
