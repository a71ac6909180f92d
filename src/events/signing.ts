// Standard Webhooks signing (DESIGN 4b), through the `standardwebhooks` library: headers `webhook-id` (the event
// id, the same on every attempt), `webhook-timestamp` (the attempt's, in seconds) and `webhook-signature`
// (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret, space-separated, while a rotated secret
// overlaps its successor).
import { Webhook } from 'standardwebhooks';

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three headers for `body` sent as event `eventId` at `at`, signed with each of `secrets` (newest first). */
export function signedHeaders(secrets: readonly string[], eventId: string, at: Date, body: string): WebhookHeaders {
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(eventId, at, body)).join(' '),
  };
}
