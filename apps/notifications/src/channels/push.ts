import { type OutboundPolicy } from '@smartbeak/outbound';
import { importPKCS8, SignJWT } from 'jose';
import webpush from 'web-push';

import { call, PermanentSendError, retryAfterMs, type Sent, TransientSendError } from './provider';

export interface PushMessage {
  title: string;
  body: string;
  /** Absolute URL to open. */
  url: string | null;
  notificationId: string;
}

export interface PushDevice {
  id: string;
  kind: 'fcm' | 'webpush';
  address: string;
  keys: { p256dh: string; auth: string } | null;
}

/** The device's token or subscription is gone for good: forget the device. */
export class DeviceGoneError extends PermanentSendError {
  constructor(message: string) {
    super(message, true);
    this.name = 'DeviceGoneError';
  }
}

export interface PushSender {
  readonly name: string;
  send(device: PushDevice, message: PushMessage): Promise<Sent>;
}

interface ServiceAccount {
  project_id: string;
  client_email: string;
  private_key: string;
}

/** Reads a service-account key given raw or base64. */
export function parseServiceAccount(text: string): ServiceAccount {
  const raw = text.trim().startsWith('{') ? text : Buffer.from(text, 'base64').toString('utf8');
  const parsed = JSON.parse(raw) as Partial<ServiceAccount>;
  if (!parsed.project_id || !parsed.client_email || !parsed.private_key) {
    throw new Error('FCM_SERVICE_ACCOUNT needs project_id, client_email and private_key');
  }
  return parsed as ServiceAccount;
}

/**
 * FCM HTTP v1 `POST /v1/projects/{project}/messages:send`, with an OAuth
 * access token from the service account (a signed JWT exchanged at the token
 * URL, RFC 7523), cached until a minute before it expires.
 */
export class FcmPushSender implements PushSender {
  readonly name = 'fcm';
  private token: { value: string; expiresAt: number } | null = null;

  constructor(
    private readonly account: ServiceAccount,
    private readonly options: { apiUrl: string; tokenUrl: string },
    private readonly policy: OutboundPolicy,
  ) {}

  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now() + 60_000) return this.token.value;
    const key = await importPKCS8(this.account.private_key, 'RS256');
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ scope: 'https://www.googleapis.com/auth/firebase.messaging' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(this.account.client_email)
      .setAudience(this.options.tokenUrl)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(key);
    const response = await call(this.options.tokenUrl, this.policy, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }).toString(),
    });
    if (response.status !== 200) {
      throw new TransientSendError(`Google OAuth ${response.status}: ${response.text().slice(0, 200)}`);
    }
    const body = response.json<{ access_token: string; expires_in: number }>();
    this.token = { value: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
    return body.access_token;
  }

  async send(device: PushDevice, message: PushMessage): Promise<Sent> {
    const token = await this.accessToken();
    const response = await call(
      `${this.options.apiUrl}/v1/projects/${encodeURIComponent(this.account.project_id)}/messages:send`,
      this.policy,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          message: {
            token: device.address,
            notification: { title: message.title, body: message.body },
            data: { notificationId: message.notificationId, ...(message.url ? { url: message.url } : {}) },
            ...(message.url ? { webpush: { fcm_options: { link: message.url } } } : {}),
          },
        }),
      },
    );
    if (response.status === 200) {
      return { provider: this.name, messageId: response.json<{ name?: string }>().name ?? null };
    }
    let error: { error?: { status?: string; message?: string; details?: { errorCode?: string }[] } } = {};
    try {
      error = response.json();
    } catch {
      // the status says enough
    }
    const code = error.error?.details?.find((d) => d.errorCode)?.errorCode ?? error.error?.status;
    const detail = `FCM ${response.status} ${code ?? ''}: ${error.error?.message ?? ''}`.trim();
    if (response.status === 401) this.token = null;
    if (code === 'UNREGISTERED' || (response.status === 404 && !code)) throw new DeviceGoneError(detail);
    if (code === 'INVALID_ARGUMENT' && response.status === 400) throw new DeviceGoneError(detail);
    if (response.status === 429 || code === 'QUOTA_EXCEEDED') {
      throw new TransientSendError(detail, retryAfterMs(response.headers['retry-after']));
    }
    if (response.status >= 500 || response.status === 401 || response.status === 403) {
      throw new TransientSendError(detail);
    }
    throw new PermanentSendError(detail);
  }
}

/** Web Push (RFC 8030) with VAPID (RFC 8292): `web-push` encrypts and signs, the outbound guard sends. */
export class WebPushSender implements PushSender {
  readonly name = 'webpush';

  constructor(
    private readonly vapid: { subject: string; publicKey: string; privateKey: string },
    private readonly policy: OutboundPolicy,
  ) {}

  async send(device: PushDevice, message: PushMessage): Promise<Sent> {
    if (!device.keys) throw new DeviceGoneError('a web push subscription without keys');
    const details = webpush.generateRequestDetails(
      { endpoint: device.address, keys: device.keys },
      JSON.stringify({
        title: message.title,
        body: message.body,
        url: message.url,
        id: message.notificationId,
      }),
      { vapidDetails: this.vapid, TTL: 24 * 3600 },
    );
    const headers = Object.fromEntries(
      Object.entries(details.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    const response = await call(details.endpoint, this.policy, {
      method: details.method,
      headers,
      body: details.body ?? undefined,
    });
    if (response.status >= 200 && response.status < 300) {
      const location = response.headers.location;
      return { provider: this.name, messageId: (Array.isArray(location) ? location[0] : location) ?? null };
    }
    const detail = `Web Push ${response.status}: ${response.text().slice(0, 200)}`;
    if (response.status === 404 || response.status === 410) throw new DeviceGoneError(detail);
    if (response.status === 429)
      throw new TransientSendError(detail, retryAfterMs(response.headers['retry-after']));
    if (response.status >= 500) throw new TransientSendError(detail);
    throw new PermanentSendError(detail);
  }
}
