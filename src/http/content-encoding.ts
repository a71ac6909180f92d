// Request bodies sent with a Content-Encoding (RFC 9110 §8.4): gzip (and its old name x-gzip), deflate (the zlib
// format, RFC 1950) and br (RFC 7932) are decompressed before the body is parsed, so a supplier's script that
// compresses its upload stores the file itself, never the compressed bytes read as CSV. The route's body limit
// (DOCUMENT_MAX_BYTES for supplier documents, 1 MB elsewhere) applies to the DECOMPRESSED bytes: Fastify counts
// what the stream returned here yields, so a small "zip bomb" is a 413 as soon as its output passes the limit,
// never inflated whole into memory. Any other coding is a 415 naming the header; a body that is not valid data of
// its coding is a 400 naming the body (the decoder's error is marked with its coding here; toApiError maps it).
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { visible } from '../domain/plain-text.ts';
import { ApiError } from './errors.ts';

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate, br: createBrotliDecompress,
};

/** The codings the Content-Encoding header lists, lower-case, `identity` left out (it means none). */
function codingsOf(header: string): string[] {
  return header.split(',').map((coding) => coding.trim().toLowerCase()).filter((coding) => coding !== '' && coding !== 'identity');
}

/** The 415 for a Content-Encoding this service does not decode. */
function unsupportedEncoding(header: string): ApiError {
  return new ApiError(415, 'unsupported_media_type',
    `Content-Encoding ${visible(header, 60)} is not accepted: send the body uncompressed, or compressed with one of gzip, deflate or br.`,
    [{ field: 'headers.content-encoding', message: 'must be one of "gzip", "deflate", "br" or "identity" (one coding)' }]);
}

/** Decompresses request bodies on every route (see the head of this file). */
export function registerContentEncoding(app: FastifyInstance): void {
  app.addHook('preParsing', (request, reply, payload, done) => {
    const header = request.headers['content-encoding'];
    // A request without a body (a GET with a stray header) has nothing to decode.
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
    const codings = header === undefined || !hasBody ? [] : codingsOf(header);
    if (codings.length === 0) return done(null, payload);
    const decoder = codings.length === 1 ? DECODERS[codings[0]] : undefined;
    if (!decoder) return done(unsupportedEncoding(header!), payload);
    const decoded = decoder() as Transform & { receivedEncodedLength: number };
    // Fastify compares the bytes received with Content-Length: those are the encoded bytes, counted here.
    decoded.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => { decoded.receivedEncodedLength += chunk.length; });
    payload.on('error', (error) => decoded.destroy(error));
    // zlib's and brotli's errors carry codes of their own (Z_DATA_ERROR, ERR__ERROR_FORMAT_PADDING_1, …): marked
    // here, before Fastify's listener sees them, as the body's fault.
    decoded.prependListener('error', (error: Error & { contentEncoding?: string }) => { error.contentEncoding = codings[0]; });
    payload.pipe(decoded);
    // A body refused mid-way (413) stops being decompressed.
    reply.raw.once('close', () => { payload.unpipe(decoded); decoded.destroy(); });
    done(null, decoded);
  });
}

/** The 400 for a body that is not valid data of its Content-Encoding (a decoder's error marked above), or null. */
export function undecodableBody(error: { contentEncoding?: string }): ApiError | null {
  if (error.contentEncoding === undefined) return null;
  const coding = error.contentEncoding;
  return new ApiError(400, 'validation_failed', `The request body is not valid ${coding} data (Content-Encoding: ${coding}).`,
    [{ field: 'body', message: `is not valid ${coding} data (corrupt or cut short)` }]);
}
