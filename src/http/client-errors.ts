// Requests Node's HTTP parser refuses before Fastify sees them: headers over Node's size limit (431), a request
// line (the address) that alone is over it (414), a malformed request line or header (400), a request that did not
// arrive in time (408). No route, hook or error handler runs for them, and Fastify's default answer is a bare JSON
// body outside the error envelope (DESIGN 2.2), also to a browser on a console page. Here the API gets its envelope
// and an X-Request-Id, and a console address the console's HTML error page (console/plugin.ts).
//
// Which it is comes from the refused bytes: Node hands over the chunk it was reading, which begins with the request
// line when the request arrived in one piece (a browser's usually does; a reverse proxy's always). When the chunk
// is a later part of a request, the connection's earlier requests tell (a browser keeps one connection for the
// console; console/plugin.ts marks it); otherwise the API's envelope is sent.
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { byteLimit } from '../domain/byte-size.ts';
import { ApiError } from './errors.ts';

/** Set on a connection that has carried a console request (console/plugin.ts). */
export const CONSOLE_CONNECTION = Symbol('ordersync.consoleConnection');

export interface RefusedRequest {
  error: ApiError;
  /** The path the refused request asked for, when its bytes show it. */
  path: string | undefined;
  /** The connection has carried console requests before. */
  consoleConnection: boolean;
}

/** The method and target at the start of `raw`, and whether the request line ended within it. */
function requestLine(raw: Buffer | undefined): { target: string; ended: boolean } | undefined {
  if (!raw) return undefined;
  const head = raw.subarray(0, Math.min(raw.length, maxHeaderSize + 64)).toString('latin1');
  const match = /^[A-Z][A-Z-]{0,19} (\S+)/.exec(head);
  if (!match) return undefined;
  return { target: match[1], ended: /^[^\r\n]* HTTP\/\d\.\d\r?\n/.test(head) };
}

/** What a request Node's parser refused is answered (`error.code`: Node's llhttp `HPE_…` or `ERR_HTTP_REQUEST_TIMEOUT`). */
export function refusedRequest(error: Error & { code?: string; rawPacket?: Buffer }, socket: Socket): RefusedRequest {
  const line = requestLine(error.rawPacket);
  const path = line?.target.split('?')[0];
  const consoleConnection = (socket as Socket & { [CONSOLE_CONNECTION]?: boolean })[CONSOLE_CONNECTION] === true;
  const limit = byteLimit(maxHeaderSize);
  let apiError: ApiError;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    apiError = new ApiError(408, 'request_timeout', 'The request did not arrive in time: send it again.');
  } else if (error.code === 'HPE_HEADER_OVERFLOW' && line !== undefined && !line.ended) {
    apiError = new ApiError(414, 'uri_too_long', `The address (URL) is longer than this service reads: at most ${limit} with the headers.`,
      [{ field: 'url', message: `must be shorter: the request line and headers may take at most ${limit}` }]);
  } else if (error.code === 'HPE_HEADER_OVERFLOW') {
    apiError = new ApiError(431, 'request_header_fields_too_large',
      `The request's headers are larger than this service reads: at most ${limit} with the address. A browser that sends this has ` +
      'gathered too many cookies for this site: clear them and try again.',
      [{ field: 'headers', message: `must take at most ${limit} with the request line` }]);
  } else {
    apiError = new ApiError(400, 'bad_request',
      'The request could not be read: it is not well-formed HTTP/1.1 (a malformed request line or header).');
  }
  return { error: apiError, path, consoleConnection };
}

/** Writes a whole response to a connection Fastify never took over, then closes it (the rest of the request is not read). */
export function writeRaw(socket: Socket, status: number, headers: Record<string, string>, body: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const bytes = Buffer.from(body, 'utf8');
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`, ...Object.entries({
    ...headers, 'Content-Length': String(bytes.length), Connection: 'close',
  }).map(([name, value]) => `${name}: ${value}`)];
  socket.once('finish', () => socket.destroy());
  socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bytes]));
}
