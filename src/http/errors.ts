// One error envelope for every failure (DESIGN 2.2):
// {error, errorCode, message, request_id[, details]} with the HTTP status as errorCode.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors.ts';

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

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Ajv's findings → fields named as the client wrote them (`body.po_numbers[3]`, `query.limit`). */
function detailsFromValidation(issues: AjvIssue[], context: string | undefined): ErrorDetail[] {
  const where = context === 'querystring' ? 'query' : context ?? 'body';
  return issues.map((issue) => {
    let path = issue.instancePath.split('/').filter(Boolean)
      .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`)).join('');
    let message = issue.message ?? 'is invalid';
    if (issue.keyword === 'additionalProperties') {
      path += `.${String(issue.params.additionalProperty)}`;
      message = 'is not a known field';
    } else if (issue.keyword === 'required') {
      path += `.${String(issue.params.missingProperty)}`;
      message = 'is required';
    }
    return { field: `${where}${path}`, message };
  });
}

/** Any error thrown while handling a request → the ApiError the envelope (or the console's error page) shows. */
export function toApiError(error: FastifyError): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof NotFoundError) return notFound(error.message);
  if (error instanceof ConflictError) return conflict(error.message);
  if (error instanceof InvalidInputError) return validationFailed(error.problems);
  if (error.validation) {
    return validationFailed(detailsFromValidation(error.validation as AjvIssue[], error.validationContext));
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'validation_failed', 'The request body is not valid JSON.', [{ field: 'body', message: 'is not valid JSON' }]);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'payload_too_large', 'The request body is larger than this endpoint accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'Send the request body as application/json.');
  }
  if (error instanceof SyntaxError) {
    return new ApiError(400, 'validation_failed', 'The request body is not valid JSON.', [{ field: 'body', message: 'is not valid JSON' }]);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ApiError(status, NAMES_BY_STATUS[status] ?? 'bad_request', error.message);
  return new ApiError(500, 'internal_error', 'Something went wrong on our side. Quote the request_id when reporting it.');
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.headers) reply.headers(error.headers);
  return reply.code(error.statusCode).type('application/json; charset=utf-8').send({
    error: error.code,
    errorCode: error.statusCode,
    message: error.message,
    request_id: reply.request.id,
    ...(error.details ? { details: error.details } : {}),
  });
}

/**
 * Errors Fastify answers before routing (a path that is not valid percent-encoding, a path parameter over the
 * router's length limit) bypass the error handler and the onRequest hook: same envelope and X-Request-Id here.
 */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header('X-Request-Id', request.id);
  if (error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    const problem = error.code === 'FST_ERR_BAD_URL' ? 'is not valid percent-encoding' : 'is too long';
    return sendError(reply, validationFailed([{ field: 'params', message: problem }]));
  }
  return sendError(reply, toApiError(error));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = toApiError(error);
    if (apiError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return sendError(reply, apiError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, notFound(`No route ${request.method} ${request.url.split('?')[0]}.`)),
  );
}
