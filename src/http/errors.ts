// One error envelope for every failure (DESIGN 2.2):
// {error, errorCode, message, request_id[, details]} with the HTTP status as errorCode.
import { byteLimit } from '../domain/byte-size.ts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors.ts';
import { problemsFromAjv, type AjvIssue } from '../domain/schema-problems.ts';
import { undecodableBody } from './content-encoding.ts';

export interface ErrorDetail {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
    /** Fields added to the envelope (a 422 unprocessable_document names its `document_id`). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);
export const validationFailed = (details: ErrorDetail[]) =>
  new ApiError(400, 'validation_failed', details.map((d) => `${d.field}: ${d.message}`).join('; '), details);

const NAMES_BY_STATUS: Record<number, string> = {
  400: 'validation_failed', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed',
  406: 'not_acceptable', 409: 'conflict', 413: 'payload_too_large', 415: 'unsupported_media_type', 429: 'rate_limited',
};

/**
 * The `details` of every 413 payload_too_large (DESIGN 2.2: validation-like errors name the field): the body, and
 * its route's limit in bytes (undefined: the limit is not known here).
 */
export function bodyTooLargeDetails(limit: number | undefined): ErrorDetail[] {
  return [{ field: 'body', message: `must be at most ${limit ? `${limit} bytes` : 'the endpoint\'s limit'}` }];
}

/** Content types the JSON routes read; routes that take files (supplier documents) add their own. */
export const ACCEPTED_CONTENT_TYPES = ['application/json'];

/** Any error thrown while handling a request → the ApiError the envelope (or the console's error page) shows. */
export function toApiError(error: FastifyError, request?: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof NotFoundError) return notFound(error.message);
  if (error instanceof ConflictError) return conflict(error.message);
  if (error instanceof InvalidInputError) return validationFailed(error.problems);
  if (error.validation) {
    const context = error.validationContext;
    return validationFailed(problemsFromAjv(error.validation as AjvIssue[], context === 'querystring' ? 'query' : context ?? 'body'));
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'validation_failed', 'The request body is not valid JSON.', [{ field: 'body', message: 'is not valid JSON' }]);
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const limit = request?.routeOptions.bodyLimit;
      const words = limit ? ` of ${byteLimit(limit)}` : '';
      // A compressed body is held to the limit once decompressed (http/content-encoding.ts): said so, as the
      // compressed bytes sent may be far fewer.
      const decompressed = request?.headers['content-encoding'] === undefined ? '' : ' once decompressed';
      return new ApiError(413, 'payload_too_large', `The request body is larger than this endpoint's limit${words}${decompressed}.`,
        bodyTooLargeDetails(limit));
    }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const given = request?.headers['content-type'] ?? 'none';
      return new ApiError(415, 'unsupported_media_type',
        `Content-Type ${given} is not accepted here: send the body as ${ACCEPTED_CONTENT_TYPES.join(' or ')}.`,
        [{ field: 'headers.content-type', message: `must be one of ${ACCEPTED_CONTENT_TYPES.map((t) => `"${t}"`).join(', ')}` }]);
    }
  }
  const undecodable = undecodableBody(error as { contentEncoding?: string });
  if (undecodable) return undecodable;
  if (error instanceof SyntaxError) {
    return new ApiError(400, 'validation_failed', 'The request body is not valid JSON.', [{ field: 'body', message: 'is not valid JSON' }]);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ApiError(status, NAMES_BY_STATUS[status] ?? 'bad_request', error.message);
  return new ApiError(500, 'internal_error', 'Something went wrong on our side. Quote the request_id when reporting it.');
}

/** The error envelope of DESIGN 2.2 for `error`, answering the request `requestId`. */
export function errorEnvelope(error: ApiError, requestId: string): Record<string, unknown> {
  return {
    error: error.code,
    errorCode: error.statusCode,
    message: error.message,
    request_id: requestId,
    ...(error.details ? { details: error.details } : {}),
    ...error.extra,
  };
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.headers) reply.headers(error.headers);
  return reply.code(error.statusCode).type('application/json; charset=utf-8').send(errorEnvelope(error, reply.request.id));
}

/** Each app's route paths (`/api/v2/orders/by-po/:po_number`), to name the parameter of a URL not yet routed. */
const routePaths = new WeakMap<object, string[]>();

/** The path parameter (`params.po_number`) whose segment of the request's URL fails `bad`; `params` if none is found. */
function paramNamed(request: FastifyRequest, bad: (segment: string) => boolean): string {
  const segments = request.url.split('?')[0].split('/');
  for (const path of routePaths.get(request.server) ?? []) {
    const parts = path.split('/');
    if (parts.length !== segments.length) continue;
    let name: string | null = null;
    let matches = true;
    for (const [i, part] of parts.entries()) {
      if (part.startsWith(':')) {
        if (bad(segments[i])) name ??= part.slice(1);
      } else if (part !== segments[i]) {
        matches = false;
        break;
      }
    }
    if (matches && name) return `params.${name}`;
  }
  return 'params';
}

const decodes = (segment: string) => {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
};

/** Why a path segment or a query-string field that `decodeURIComponent` refuses is refused (the one wording). */
export const PERCENT_ENCODING_PROBLEM =
  'is not valid percent-encoding (each "%" must start a %XX escape and the escapes must be UTF-8 of valid Unicode; send "%25" for a literal "%")';

/** Longest path parameter the router passes on (Fastify's routerOptions.maxParamLength in app.ts). */
export const MAX_PARAM_LENGTH = 1000;

/**
 * Errors Fastify answers before routing (a path that is not valid percent-encoding, a path parameter over the
 * router's length limit) bypass the error handler and the onRequest hook: same envelope and X-Request-Id here,
 * the parameter named from the routes' paths.
 */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header('X-Request-Id', request.id);
  return sendError(reply, frameworkApiError(error, request));
}

/** The ApiError of an error Fastify raises before routing (handleFrameworkError; the console renders it as a page). */
export function frameworkApiError(error: FastifyError, request: FastifyRequest): ApiError {
  if (error.code === 'FST_ERR_BAD_URL') {
    const field = paramNamed(request, (segment) => !decodes(segment));
    return validationFailed([{ field, message: PERCENT_ENCODING_PROBLEM }]);
  }
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    const field = paramNamed(request, (segment) => segment.length > MAX_PARAM_LENGTH);
    return validationFailed([{ field, message: `is too long: at most ${MAX_PARAM_LENGTH} characters` }]);
  }
  return toApiError(error, request);
}

export function registerErrorHandling(app: FastifyInstance): void {
  const paths: string[] = [];
  routePaths.set(app, paths);
  app.addHook('onRoute', (route) => {
    paths.push(route.url);
  });
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = toApiError(error, request);
    if (apiError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return sendError(reply, apiError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, notFound(`No route ${request.method} ${request.url.split('?')[0]}.`)),
  );
}
