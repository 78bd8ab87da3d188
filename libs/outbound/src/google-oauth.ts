import { createPrivateKey } from 'node:crypto';

import { importPKCS8, SignJWT } from 'jose';

import { OutboundFailedError, type OutboundPolicy, outboundRequest } from './outbound';

/** A service account's JSON key, as the Google Cloud console downloads it (the fields used). */
export interface GoogleServiceAccount {
  type: 'service_account';
  client_email: string;
  private_key: string;
  project_id?: string;
}

/** An OAuth client's refresh token, in the `authorized_user` shape gcloud writes. */
export interface GoogleAuthorizedUser {
  type: 'authorized_user';
  client_id: string;
  client_secret: string;
  refresh_token: string;
}

export type GoogleCredentials = GoogleServiceAccount | GoogleAuthorizedUser;

/** The credentials are not a usable key; the message names the problem and never echoes the secret. */
export class GoogleCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoogleCredentialsError';
  }
}

/**
 * The token endpoint refused or failed. `permanent` when asking again will
 * not help (`invalid_grant`, `invalid_client`, `unauthorized_client`: a
 * revoked key or token).
 */
export class GoogleTokenError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'GoogleTokenError';
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function text(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

/**
 * Reads a service-account key or an `authorized_user` refresh token, given as
 * an object, as JSON or as base64 JSON, and checks it can be used: the fields
 * present, the client email an email, the private key a PEM private key.
 */
export function parseGoogleCredentials(input: unknown): GoogleCredentials {
  let value = input;
  if (typeof value === 'string') {
    const raw = value.trim().startsWith('{') ? value : Buffer.from(value, 'base64').toString('utf8');
    try {
      value = JSON.parse(raw);
    } catch {
      throw new GoogleCredentialsError('credentials are not JSON (nor base64 JSON)');
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new GoogleCredentialsError('credentials must be a JSON object');
  }
  const key = value as Record<string, unknown>;
  if (key['type'] === 'authorized_user') {
    for (const field of ['client_id', 'client_secret', 'refresh_token'] as const) {
      if (!text(key[field])) throw new GoogleCredentialsError(`an authorized_user credential needs ${field}`);
    }
    return {
      type: 'authorized_user',
      client_id: key['client_id'] as string,
      client_secret: key['client_secret'] as string,
      refresh_token: key['refresh_token'] as string,
    };
  }
  if (key['type'] !== undefined && key['type'] !== 'service_account') {
    throw new GoogleCredentialsError('credentials type must be service_account or authorized_user');
  }
  if (!text(key['client_email']) || !EMAIL.test(key['client_email'])) {
    throw new GoogleCredentialsError('a service-account key needs client_email (an email address)');
  }
  if (!text(key['private_key'])) throw new GoogleCredentialsError('a service-account key needs private_key');
  try {
    createPrivateKey({ key: key['private_key'], format: 'pem' });
  } catch {
    throw new GoogleCredentialsError('private_key is not a PEM private key');
  }
  return {
    type: 'service_account',
    client_email: key['client_email'],
    private_key: key['private_key'],
    ...(text(key['project_id']) ? { project_id: key['project_id'] } : {}),
  };
}

const PERMANENT = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'invalid_scope']);

/**
 * OAuth access tokens for Google APIs, through the outbound guard: a service
 * account signs a JWT and exchanges it (RFC 7523, `jwt-bearer`); an
 * `authorized_user` trades its refresh token. The token URL is the
 * configured one whatever the key's `token_uri` says, so tests and proxies
 * can point it elsewhere. A token is reused until a minute before it expires.
 */
export class GoogleAccessTokens {
  private token: { value: string; expiresAt: number } | null = null;

  constructor(
    private readonly credentials: GoogleCredentials,
    private readonly options: { tokenUrl: string; scope: string },
    private readonly policy: OutboundPolicy,
  ) {}

  /** Forget the cached token (the API said it was no longer valid). */
  reset(): void {
    this.token = null;
  }

  async get(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now() + 60_000) return this.token.value;
    const form = await this.grant();
    let response;
    try {
      response = await outboundRequest(
        this.options.tokenUrl,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        },
        this.policy,
      );
    } catch (error) {
      if (error instanceof OutboundFailedError) throw new GoogleTokenError(error.message, 0, false);
      throw error;
    }
    if (response.status !== 200) {
      let code = '';
      try {
        code = response.json<{ error?: string }>().error ?? '';
      } catch {
        // the status says enough
      }
      throw new GoogleTokenError(
        `Google OAuth ${response.status}${code ? ` ${code}` : ''}`,
        response.status,
        PERMANENT.has(code),
      );
    }
    const body = response.json<{ access_token?: string; expires_in?: number }>();
    if (!body.access_token)
      throw new GoogleTokenError('Google OAuth answered without an access_token', 200, false);
    this.token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
    return body.access_token;
  }

  private async grant(): Promise<URLSearchParams> {
    const credentials = this.credentials;
    if (credentials.type === 'authorized_user') {
      return new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: credentials.client_id,
        client_secret: credentials.client_secret,
        refresh_token: credentials.refresh_token,
      });
    }
    const key = await importPKCS8(credentials.private_key, 'RS256');
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ scope: this.options.scope })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(credentials.client_email)
      .setAudience(this.options.tokenUrl)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(key);
    return new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
  }
}
