import { type TargetTestResultDto } from '@smartbeak/contracts';

import {
  type Http,
  type Outcome,
  outcomeOfError,
  outcomeOfStatus,
  type PublishableContent,
  type PublishingAdapter,
  type ResolvedTarget,
} from './adapter';

/**
 * LinkedIn Posts API: `POST /rest/posts` (versioned by `LinkedIn-Version`,
 * Rest.li 2.0), an article share with commentary; the new post's URN comes
 * back in `x-restli-id`. LinkedIn offers no lookup by our key, so there is no
 * `reconcile`: an unanswered post becomes `unconfirmed` for the user to settle.
 */
export class LinkedInAdapter implements PublishingAdapter {
  constructor(
    private readonly http: Http,
    private readonly apiUrl: string,
    private readonly version: string,
  ) {}

  async publish(content: PublishableContent, target: ResolvedTarget): Promise<Outcome> {
    const commentary = [content.title, content.excerpt].filter(Boolean).join('\n\n').slice(0, 3000);
    try {
      const res = await this.http(`${this.apiUrl}/rest/posts`, {
        method: 'POST',
        headers: { ...this.headers(target), 'content-type': 'application/json' },
        body: JSON.stringify({
          author: target.config['authorUrn'],
          commentary: escapeLittleText(commentary),
          visibility: 'PUBLIC',
          distribution: {
            feedDistribution: 'MAIN_FEED',
            targetEntities: [],
            thirdPartyDistributionChannels: [],
          },
          content: {
            article: { source: content.url, title: content.title, description: content.excerpt || undefined },
          },
          lifecycleState: 'PUBLISHED',
          isReshareDisabledByAuthor: false,
        }),
      });
      if (res.status !== 201) return outcomeOfStatus(res, 'LinkedIn post');
      const header = res.headers['x-restli-id'] ?? res.headers['x-linkedin-id'];
      const urn = Array.isArray(header) ? header[0] : header;
      if (!urn) return { kind: 'unknown', message: 'LinkedIn accepted the post but did not say its id' };
      return {
        kind: 'succeeded',
        externalId: urn,
        externalUrl: `https://www.linkedin.com/feed/update/${urn}/`,
      };
    } catch (error) {
      return outcomeOfError(error, 'LinkedIn');
    }
  }

  async test(target: ResolvedTarget): Promise<TargetTestResultDto> {
    try {
      const res = await this.http(`${this.apiUrl}/v2/userinfo`, { headers: this.headers(target) });
      if (res.status === 200) {
        const me = res.json<{ name?: string; sub?: string }>();
        return { ok: true, detail: `Token valid for ${me.name ?? me.sub ?? 'the member'}` };
      }
      const outcome = outcomeOfStatus(res, 'LinkedIn');
      return { ok: false, detail: 'message' in outcome ? outcome.message : `HTTP ${res.status}` };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  private headers(target: ResolvedTarget): Record<string, string> {
    return {
      authorization: `Bearer ${String(target.secret['accessToken'])}`,
      'linkedin-version': this.version,
      'x-restli-protocol-version': '2.0.0',
    };
  }
}

/** LinkedIn's "little text" format reserves these characters in commentary. */
export function escapeLittleText(text: string): string {
  return text.replace(/[\\|{}@[\]()<>#*_~]/g, (c) => `\\${c}`);
}
