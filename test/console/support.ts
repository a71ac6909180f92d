// A browser-like client for Fastify-inject tests of the console: keeps the cookies it is given (as a browser
// would for /console), and reads the CSRF token from the last page's forms.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  last: LightMyRequestResponse | null = null;

  constructor(private readonly app: FastifyInstance) {}

  private keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies) {
      if (cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() <= Date.now()) || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    this.last = response;
    return response;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.keep(await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } }));
  }

  /** The CSRF token of the last page's forms. */
  csrfToken(): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(this.last?.body ?? '');
    if (!match) throw new Error('the last page has no form with a CSRF token');
    return match[1];
  }

  /** Posts a form; `_csrf` is taken from the last page unless given (pass null to send none). */
  async post(url: string, fields: Record<string, string | string[]>, csrf: string | null | undefined = undefined): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    const token = csrf === undefined ? this.csrfToken() : csrf;
    if (token !== null) body.append('_csrf', token);
    for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
    return this.keep(await this.app.inject({
      method: 'POST', url, payload: body.toString(),
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    }));
  }

  /** Posts a multipart form with a file, as the upload form does; `_csrf` as in post(). */
  async upload(url: string, fields: Record<string, string>, file: UploadFile | null, csrf: string | null | undefined = undefined):
    Promise<LightMyRequestResponse> {
    const token = csrf === undefined ? this.csrfToken() : csrf;
    const { payload, contentType } = multipartBody(token === null ? fields : { _csrf: token, ...fields }, file);
    return this.keep(await this.app.inject({ method: 'POST', url, payload, headers: { cookie: this.cookieHeader(), 'content-type': contentType } }));
  }

  async signIn(key: string): Promise<LightMyRequestResponse> {
    await this.get('/console/sign-in');
    return this.post('/console/sign-in', { api_key: key });
  }
}

/** The text of an HTML page without tags, white space collapsed (for asserting on what a person reads; <bdi> adds no space). */
export function pageText(html: string): string {
  return html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<\/?bdi>/g, '').replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"').replace(/\s+/g, ' ').trim();
}

/** A file for ConsoleClient.upload: what a browser's file input sends. */
export interface UploadFile {
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer | string;
}

/** A multipart/form-data body as a browser builds it: the fields in form order, then the file. */
export function multipartBody(fields: Record<string, string>, file: UploadFile | null): { payload: Buffer; contentType: string } {
  const boundary = '----ordersyncTestBoundary7MA4YWxkTrZu0gW';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\n` +
      `Content-Type: ${file.contentType}\r\n\r\n`), Buffer.from(file.bytes), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Listens on a free port of 8400–8999 (the range this project's test servers keep to), trying others while one
 * is taken; returns the base URL.
 */
export async function listenInRange(app: FastifyInstance): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const port = 8400 + Math.floor(Math.random() * 600);
    try {
      return await app.listen({ port, host: '127.0.0.1' });
    } catch (error) {
      if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt >= 50) throw error;
    }
  }
}
