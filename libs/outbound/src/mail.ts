import { createTransport, type Transporter } from 'nodemailer';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text (or an attribute value) inside HTML we write: mail bodies, small pages. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** A pooled nodemailer transport for an `smtp://` / `smtps://` URL (SES and SendGrid offer SMTP too). */
export function smtpTransport(url: string): Transporter {
  return createTransport(`${url}${url.includes('?') ? '&' : '?'}pool=true`);
}
