import { createHmac } from 'node:crypto';

import { type OutboundPolicy, retryAfterMs } from '@smartbeak/outbound';

import { call, PermanentSendError, type Sent, TransientSendError } from '../channels/provider';

export interface OperatorPage {
  /** Dedupes at the pager: the same alert twice is one incident. */
  dedupKey: string;
  severity: 'critical' | 'error' | 'warning' | 'info';
  summary: string;
  details: Record<string, unknown>;
}

export interface Pager {
  readonly name: string;
  page(alert: OperatorPage): Promise<Sent>;
}

function answer(name: string, response: Awaited<ReturnType<typeof call>>, messageId: string | null): Sent {
  if (response.status >= 200 && response.status < 300) return { provider: name, messageId };
  const detail = `${name} ${response.status}: ${response.text().slice(0, 300)}`;
  if (response.status === 429)
    throw new TransientSendError(detail, retryAfterMs(response.headers['retry-after']));
  if (response.status >= 500 || response.status === 401 || response.status === 403)
    throw new TransientSendError(detail);
  throw new PermanentSendError(detail);
}

/** PagerDuty Events API v2: `POST /v2/enqueue` with the integration's routing key (202 `{ status, dedup_key }`). */
export class PagerDutyPager implements Pager {
  readonly name = 'pagerduty';

  constructor(
    private readonly url: string,
    private readonly routingKey: string,
    private readonly policy: OutboundPolicy,
  ) {}

  async page(alert: OperatorPage): Promise<Sent> {
    const response = await call(this.url, this.policy, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: this.routingKey,
        event_action: 'trigger',
        dedup_key: alert.dedupKey,
        payload: {
          summary: alert.summary.slice(0, 1024),
          source: 'smartbeak-notifications',
          severity: alert.severity,
          component: 'publishing',
          custom_details: alert.details,
        },
      }),
    });
    let key: string | null = null;
    try {
      key = response.json<{ dedup_key?: string }>().dedup_key ?? null;
    } catch {
      // a non-JSON answer: the status decides
    }
    return answer(this.name, response, key);
  }
}

/**
 * A generic operator webhook: JSON, signed like our storage webhook —
 * `X-SmartBeak-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`.
 */
export class WebhookPager implements Pager {
  readonly name = 'webhook';

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly policy: OutboundPolicy,
  ) {}

  async page(alert: OperatorPage): Promise<Sent> {
    const body = JSON.stringify({ type: 'operator.alert', ...alert, sentAt: new Date().toISOString() });
    const t = Math.floor(Date.now() / 1000);
    const v1 = createHmac('sha256', this.secret).update(`${t}.${body}`).digest('hex');
    const response = await call(this.url, this.policy, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-smartbeak-signature': `t=${t},v1=${v1}` },
      body,
    });
    return answer(this.name, response, alert.dedupKey);
  }
}
