/**
 * Compressed answers, as DynamoDB gives them: when the request's Accept-Encoding allows gzip or
 * deflate, an answer of at least 4 KB is sent compressed (smaller ones never are). The choice
 * follows the header's quality values; among equals, an encoding the client names wins over one
 * it accepts through `*`, the first named wins over later ones, and `*` alone means gzip
 * (Alternator's tests of these cases, recorded against the live service).
 */
import { deflateSync, gzipSync } from 'node:zlib';

export type ResponseEncoding = 'gzip' | 'deflate';

/** DynamoDB compresses answers of this many bytes and more. */
export const COMPRESSION_THRESHOLD_BYTES = 4096;

const SUPPORTED: readonly ResponseEncoding[] = ['gzip', 'deflate'];

interface Offer {
  quality: number;
  /** Position in the header, for a named encoding; none when it is accepted through `*`. */
  position: number | undefined;
}

/** The encoding an Accept-Encoding header asks for, or undefined for none cove can give. */
export function chooseEncoding(acceptEncoding: string | undefined): ResponseEncoding | undefined {
  if (acceptEncoding === undefined) return undefined;
  const named = new Map<string, { quality: number; position: number }>();
  let star: number | undefined;
  acceptEncoding.split(',').forEach((entry, position) => {
    const [name, ...parameters] = entry.split(';').map((part) => part.trim().toLowerCase());
    if (name === '') return;
    const q = parameters.map((p) => /^q\s*=\s*([0-9.]+)$/.exec(p)?.[1]).find((value) => value !== undefined);
    const quality = q === undefined ? 1 : Number(q);
    if (name === '*') star = quality;
    else if (!named.has(name)) named.set(name, { quality: Number.isFinite(quality) ? quality : 0, position });
  });
  let best: { encoding: ResponseEncoding; offer: Offer } | undefined;
  for (const encoding of SUPPORTED) {
    const offer: Offer | undefined = named.get(encoding) ?? (star !== undefined ? { quality: star, position: undefined } : undefined);
    if (offer === undefined || offer.quality <= 0) continue;
    if (best === undefined || better(offer, best.offer)) best = { encoding, offer };
  }
  return best?.encoding;
}

function better(offer: Offer, than: Offer): boolean {
  if (offer.quality !== than.quality) return offer.quality > than.quality;
  if (offer.position !== undefined && than.position !== undefined) return offer.position < than.position;
  return offer.position !== undefined && than.position === undefined;
}

/** The body as sent: compressed when asked for and large enough, else as it is. */
export function encodeBody(body: string, encoding: ResponseEncoding | undefined): { bytes: Buffer | string; encoding: ResponseEncoding | undefined } {
  if (encoding === undefined || Buffer.byteLength(body, 'utf8') < COMPRESSION_THRESHOLD_BYTES) return { bytes: body, encoding: undefined };
  return { bytes: encoding === 'gzip' ? gzipSync(body) : deflateSync(body), encoding };
}
