import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { type OutboundPolicy, retryAfterMs } from '@smartbeak/outbound';
import { type Transporter } from 'nodemailer';

import { call, PermanentSendError, type Provider, type Sent, TransientSendError } from './provider';

export interface EmailMessage {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers (List-Unsubscribe, List-Unsubscribe-Post). */
  headers: Record<string, string>;
}

/** `Name <address>` → its parts. */
function parseFrom(from: string): { email: string; name?: string } {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(from);
  return match ? { email: match[2]!, name: match[1] || undefined } : { email: from.trim() };
}

/** SMTP (nodemailer): the local catcher, or any provider's SMTP relay. */
export class SmtpEmailProvider implements Provider<EmailMessage> {
  readonly name = 'smtp';

  constructor(private readonly transport: Transporter) {}

  async send(message: EmailMessage): Promise<Sent> {
    try {
      const info = (await this.transport.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: message.headers,
      })) as { messageId?: string };
      return { provider: this.name, messageId: info.messageId ?? null };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      // 5xx on a recipient is a hard bounce (550 no such mailbox); 4xx and broken connections pass.
      if (code && code >= 500 && code < 600 && code !== 554) {
        throw new PermanentSendError(
          `SMTP ${code}: ${(error as Error).message}`,
          code === 550 || code === 553,
        );
      }
      throw new TransientSendError(`SMTP: ${(error as Error).message}`);
    }
  }
}

/** SendGrid v3 `POST /v3/mail/send` (202 with an `X-Message-Id`). */
export class SendGridEmailProvider implements Provider<EmailMessage> {
  readonly name = 'sendgrid';

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly policy: OutboundPolicy,
  ) {}

  async send(message: EmailMessage): Promise<Sent> {
    const body = JSON.stringify({
      personalizations: [{ to: [{ email: message.to }] }],
      from: parseFrom(message.from),
      subject: message.subject,
      content: [
        { type: 'text/plain', value: message.text },
        { type: 'text/html', value: message.html },
      ],
      headers: message.headers,
    });
    const response = await call(`${this.baseUrl}/v3/mail/send`, this.policy, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
      body,
    });
    if (response.status === 202 || response.status === 200) {
      const id = response.headers['x-message-id'];
      return { provider: this.name, messageId: (Array.isArray(id) ? id[0] : id) ?? null };
    }
    const detail = `SendGrid ${response.status}: ${response.text().slice(0, 300)}`;
    if (response.status === 429)
      throw new TransientSendError(detail, retryAfterMs(response.headers['retry-after']));
    // 401/403 are our key's trouble, not the message's: the next provider can take it.
    if (response.status >= 500 || response.status === 401 || response.status === 403) {
      throw new TransientSendError(detail);
    }
    throw new PermanentSendError(detail);
  }
}

/** Amazon SES v2 `SendEmail` through the AWS SDK (endpoint overridable). */
export class SesEmailProvider implements Provider<EmailMessage> {
  readonly name = 'ses';

  constructor(private readonly client: SESv2Client) {}

  static create(options: {
    region: string;
    endpoint?: string;
    accessKeyId?: string;
    secretAccessKey?: string;
  }): SesEmailProvider {
    return new SesEmailProvider(
      new SESv2Client({
        region: options.region,
        endpoint: options.endpoint,
        maxAttempts: 1, // retries are ours (backoff, failover)
        credentials:
          options.accessKeyId && options.secretAccessKey
            ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
            : undefined,
      }),
    );
  }

  async send(message: EmailMessage): Promise<Sent> {
    try {
      const result = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: message.from,
          Destination: { ToAddresses: [message.to] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: {
                Text: { Data: message.text, Charset: 'UTF-8' },
                Html: { Data: message.html, Charset: 'UTF-8' },
              },
              Headers: Object.entries(message.headers).map(([Name, Value]) => ({ Name, Value })),
            },
          },
        }),
      );
      return { provider: this.name, messageId: result.MessageId ?? null };
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const name = (error as Error).name;
      const detail = `SES ${status ?? ''} ${name}: ${(error as Error).message}`.trim();
      if (name === 'MessageRejected' || name === 'BadRequestException') throw new PermanentSendError(detail);
      throw new TransientSendError(detail);
    }
  }
}
