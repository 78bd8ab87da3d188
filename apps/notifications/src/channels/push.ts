import {
  type GoogleCredentials,
  GoogleAccessTokens,
  type GoogleServiceAccount,
  GoogleTokenError,
  type OutboundPolicy,
  parseGoogleCredentials,
  retryAfterMs,
} from '@smartbeak/outbound';
import webpush from 'web-push';

import { call, PermanentSendError, type Sent, TransientSendError } from './provider';

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

type ServiceAccount = Omit<GoogleServiceAccount, 'type'> & { type?: 'service_account'; project_id: string };

/** Reads a service-account key given raw or base64 (libs/outbound checks it); FCM also needs its project_id. */
export function parseServiceAccount(text: string): ServiceAccount {
  let account: GoogleCredentials;
  try {
    account = parseGoogleCredentials(text);
  } catch (error) {
    throw new Error(`FCM_SERVICE_ACCOUNT: ${(error as Error).message}`);
  }
  if (account.type !== 'service_account' || !account.project_id) {
    throw new Error('FCM_SERVICE_ACCOUNT needs project_id, client_email and private_key');
  }
  return account as ServiceAccount;
}

/**
 * FCM HTTP v1 `POST /v1/projects/{project}/messages:send`, with an OAuth
 * access token from the service account (libs/outbound's GoogleAccessTokens).
 */
export class FcmPushSender implements PushSender {
  readonly name = 'fcm';
  private readonly tokens: GoogleAccessTokens;

  constructor(
    private readonly account: ServiceAccount,
    private readonly options: { apiUrl: string; tokenUrl: string },
    private readonly policy: OutboundPolicy,
  ) {
    this.tokens = new GoogleAccessTokens(
      { ...account, type: 'service_account' },
      { tokenUrl: options.tokenUrl, scope: 'https://www.googleapis.com/auth/firebase.messaging' },
      policy,
    );
  }

  private async accessToken(): Promise<string> {
    try {
      return await this.tokens.get();
    } catch (error) {
      if (error instanceof GoogleTokenError) throw new TransientSendError(error.message);
      throw error;
    }
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
    if (response.status === 401) this.tokens.reset();
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
