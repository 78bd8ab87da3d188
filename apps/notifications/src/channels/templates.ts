// Notification emails: escaped HTML in a small responsive layout, and the same in plain text.
import { escapeHtml } from '@smartbeak/outbound';

export interface EmailItem {
  title: string;
  body: string;
  /** Absolute URL into the console. */
  url: string | null;
}

function layout(heading: string, inner: string, unsubscribeUrl: string, preferencesUrl: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(heading)}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2328">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px">
<tr><td style="padding:24px 24px 8px;font-size:13px;color:#57606a">SmartBeak</td></tr>
<tr><td style="padding:0 24px 24px">${inner}</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #eaeef2;font-size:12px;color:#57606a">
<a href="${escapeHtml(preferencesUrl)}" style="color:#57606a">Notification settings</a> ·
<a href="${escapeHtml(unsubscribeUrl)}" style="color:#57606a">Unsubscribe from these emails</a>
</td></tr></table></td></tr></table></body></html>`;
}

function itemHtml(item: EmailItem, big: boolean): string {
  const title = `<h1 style="margin:0 0 8px;font-size:${big ? 20 : 16}px;line-height:1.3">${escapeHtml(item.title)}</h1>`;
  const body = `<p style="margin:0 0 12px;font-size:15px;line-height:1.5">${escapeHtml(item.body)}</p>`;
  const button = item.url
    ? `<a href="${escapeHtml(item.url)}" style="display:inline-block;padding:8px 14px;background:#0969da;color:#ffffff;border-radius:6px;text-decoration:none;font-size:14px">Open in SmartBeak</a>`
    : '';
  return `${title}${body}${button}`;
}

export function renderNotificationEmail(
  item: EmailItem,
  links: { unsubscribeUrl: string; preferencesUrl: string },
): { subject: string; html: string; text: string } {
  const text = [
    item.title,
    '',
    item.body,
    ...(item.url ? ['', `Open: ${item.url}`] : []),
    '',
    `Settings: ${links.preferencesUrl}`,
    `Unsubscribe: ${links.unsubscribeUrl}`,
  ].join('\n');
  return {
    subject: item.title,
    html: layout(item.title, itemHtml(item, true), links.unsubscribeUrl, links.preferencesUrl),
    text,
  };
}

export function renderDigestEmail(
  items: EmailItem[],
  period: 'hourly' | 'daily',
  links: { unsubscribeUrl: string; preferencesUrl: string },
): { subject: string; html: string; text: string } {
  const subject = `Your ${period} SmartBeak digest: ${items.length} update${items.length === 1 ? '' : 's'}`;
  const inner = items
    .map(
      (item) => `<div style="padding:12px 0;border-bottom:1px solid #eaeef2">${itemHtml(item, false)}</div>`,
    )
    .join('');
  const text = [
    subject,
    '',
    ...items.flatMap((item) => [`* ${item.title}`, `  ${item.body}`, ...(item.url ? [`  ${item.url}`] : [])]),
    '',
    `Settings: ${links.preferencesUrl}`,
    `Unsubscribe: ${links.unsubscribeUrl}`,
  ].join('\n');
  return { subject, html: layout(subject, inner, links.unsubscribeUrl, links.preferencesUrl), text };
}

/** The page an unsubscribe link opens (no login: it only says what was turned off). */
export function renderUnsubscribedPage(description: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Unsubscribed</title></head><body style="font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2328">
<h1>Unsubscribed</h1><p>You will no longer get emails for: <b>${escapeHtml(description)}</b>.</p>
<p>You can turn them back on in your notification settings.</p></body></html>`;
}
