import { Logger } from '@nestjs/common';
import { type TargetTestResultDto } from '@smartbeak/contracts';
import { escapeHtml } from '@smartbeak/outbound';
import { type Transporter } from 'nodemailer';

import {
  type Outcome,
  type PublishableContent,
  type PublishingAdapter,
  type ResolvedTarget,
} from './adapter';

interface SmtpError extends Error {
  code?: string;
  command?: string;
  responseCode?: number;
}

/**
 * Who a message is from. An org may send as an address of the site the item
 * belongs to (its hostname, a subdomain of it, or the hostname without
 * `www.`): that domain is registered to the org. Any other `from` would be
 * spoofing someone else's domain from our mail servers, so the message goes
 * from the platform's sender instead, with the org's address as Reply-To.
 */
export function senderOf(
  config: Record<string, unknown>,
  siteHost: string,
  platformSender: string,
): { from: string; replyTo?: string } {
  const from = String(config['from']);
  const replyTo = typeof config['replyTo'] === 'string' ? config['replyTo'] : undefined;
  const fromDomain = from.slice(from.lastIndexOf('@') + 1).toLowerCase();
  const site = siteHost.toLowerCase().replace(/^www\./, '');
  if (fromDomain === site || fromDomain.endsWith(`.${site}`)) return { from, replyTo };
  return { from: platformSender, replyTo: replyTo ?? from };
}

/**
 * The item as an HTML + text email, over SMTP (SES and SendGrid both offer
 * it), to the target's recipients in Bcc. SMTP 4xx and connection failures
 * are transient; 5xx is a refusal; a failure once the message was handed
 * over (DATA) leaves the outcome unknown.
 */
export class EmailAdapter implements PublishingAdapter {
  private readonly logger = new Logger(EmailAdapter.name);

  constructor(
    private readonly transport: Transporter | null,
    /** Who sends when the target's `from` is not an address of the item's own site (EMAIL_PLATFORM_SENDER). */
    private readonly platformSender: string,
  ) {}

  async publish(content: PublishableContent, target: ResolvedTarget): Promise<Outcome> {
    if (!this.transport) return { kind: 'invalid', message: 'Email is not configured (SMTP_URL is unset)' };
    const { from, replyTo } = senderOf(target.config, new URL(content.url).hostname, this.platformSender);
    try {
      const info = await this.transport.sendMail({
        from,
        to: from,
        bcc: target.config['to'] as string[],
        replyTo,
        subject: content.title,
        html: renderHtml(content),
        text: renderText(content),
        headers: { 'X-SmartBeak-Content': `${content.id}@${content.version}` },
      });
      return { kind: 'succeeded', externalId: String(info.messageId), externalUrl: null };
    } catch (error) {
      // The mail server is the platform's: its own words (host names, relays) stay in our logs;
      // the tenant gets the status code and what it means.
      const smtp = error as SmtpError;
      this.logger.warn(`SMTP ${smtp.command ?? ''} ${smtp.responseCode ?? smtp.code ?? ''}: ${smtp.message}`);
      if (smtp.responseCode && smtp.responseCode >= 500) {
        return { kind: 'refused', message: `The mail server refused the message (SMTP ${statusOf(smtp)})` };
      }
      if (smtp.command === 'DATA' && !smtp.responseCode) {
        return { kind: 'unknown', message: 'SMTP: no answer after the message was sent' };
      }
      return {
        kind: 'transient',
        message: `The mail server deferred the message or could not be reached (SMTP ${statusOf(smtp)})`,
      };
    }
  }

  async test(): Promise<TargetTestResultDto> {
    if (!this.transport) return { ok: false, detail: 'Email is not configured (SMTP_URL is unset)' };
    try {
      await this.transport.verify();
      return { ok: true, detail: 'The SMTP server accepts our connection' };
    } catch (error) {
      const smtp = error as SmtpError;
      this.logger.warn(`SMTP check: ${smtp.message}`);
      return { ok: false, detail: `The mail server did not accept our connection (SMTP ${statusOf(smtp)})` };
    }
  }
}

/** `550 5.1.1`, `451`, `ECONNREFUSED`: the code, and the enhanced status when the server gave one — never its text. */
function statusOf(error: SmtpError): string {
  const enhanced = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(error.message)?.[1];
  if (error.responseCode) return enhanced ? `${error.responseCode} ${enhanced}` : String(error.responseCode);
  return error.code ?? 'no answer';
}

export function renderHtml(content: PublishableContent): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(content.title)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:640px;margin:auto">
<h1>${escapeHtml(content.title)}</h1>
${content.body}
<p><a href="${escapeHtml(content.url)}">Read it on the site</a></p>
</body></html>`;
}

export function renderText(content: PublishableContent): string {
  const text = content.body
    .replace(/<(br|\/p|\/h[1-6]|\/li|\/div)\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return `${content.title}\n\n${text}\n\n${content.url}\n`;
}
