import { type TargetTestResultDto } from '@smartbeak/contracts';

import {
  type Http,
  type Outcome,
  outcomeOfError,
  outcomeOfStatus,
  type PostRef,
  type PublishableContent,
  type PublishingAdapter,
  ReconcileFailed,
  type ResolvedTarget,
} from './adapter';

interface WordPressTarget {
  baseUrl: string;
  username: string;
  applicationPassword: string;
  restRoute: boolean;
  categories: string[];
}

interface WpPost {
  id: number;
  link: string;
  status: string;
  featured_media?: number;
  categories?: number[];
  tags?: number[];
}

/**
 * WordPress REST API (`/wp-json/wp/v2/…`, or `/?rest_route=/wp/v2/…`), Basic
 * auth with an application password. Terms are resolved (made when missing)
 * before the post, since WordPress silently drops unknown ids; a post is found
 * again by its stored id or its slug, so a retry updates instead of duplicating.
 */
export class WordPressAdapter implements PublishingAdapter {
  constructor(private readonly http: Http) {}

  async publish(
    content: PublishableContent,
    target: ResolvedTarget,
    previous: PostRef | null,
  ): Promise<Outcome> {
    const wp = wordPressTarget(target);
    try {
      const categories = await this.terms(wp, 'categories', wp.categories);
      if (!Array.isArray(categories)) return categories;
      const tags = await this.terms(wp, 'tags', content.tags);
      if (!Array.isArray(tags)) return tags;
      let featuredMedia: number | undefined;
      if (content.featuredImage) {
        const uploaded = await this.uploadMedia(wp, content.featuredImage);
        if (typeof uploaded !== 'number') return uploaded;
        featuredMedia = uploaded;
      }
      const body = {
        ...(featuredMedia ? { featured_media: featuredMedia } : {}),
        title: content.title,
        content: content.body,
        excerpt: content.excerpt,
        slug: content.slug,
        status: 'publish',
        categories,
        tags,
      };
      const found = previous ?? (await this.findBySlug(wp, content.slug));
      if (found && 'kind' in found) return found;
      const existing = found;
      let res = await this.call(wp, existing ? `posts/${existing.externalId}` : 'posts', 'POST', body);
      if (existing && res.status === 404) res = await this.call(wp, 'posts', 'POST', body); // deleted on the site
      if (res.status !== 200 && res.status !== 201) return outcomeOfStatus(res, 'WordPress post');
      const post = res.json<WpPost>();
      const dropped = (sent: number[], got: number[] | undefined) =>
        sent.some((id) => !(got ?? []).includes(id));
      if (featuredMedia && post.featured_media !== featuredMedia) {
        return {
          kind: 'refused',
          message: `WordPress did not set featured media ${featuredMedia} on post ${post.id}`,
        };
      }
      if (dropped(categories, post.categories) || dropped(tags, post.tags)) {
        return {
          kind: 'refused',
          message: `WordPress dropped terms of post ${post.id}: categories or tags unknown to the site`,
        };
      }
      return { kind: 'succeeded', externalId: String(post.id), externalUrl: post.link };
    } catch (error) {
      return outcomeOfError(error, 'WordPress');
    }
  }

  async reconcile(content: PublishableContent, target: ResolvedTarget): Promise<PostRef | null> {
    const found = await this.findBySlug(wordPressTarget(target), content.slug);
    if (found && 'kind' in found) throw new ReconcileFailed(found);
    return found;
  }

  async test(target: ResolvedTarget): Promise<TargetTestResultDto> {
    try {
      const res = await this.call(wordPressTarget(target), 'users/me', 'GET', undefined, 'context=edit');
      if (res.status === 200) {
        const me = res.json<{ name?: string; slug?: string }>();
        return { ok: true, detail: `Connected as ${me.name ?? me.slug ?? 'unknown user'}` };
      }
      const outcome = outcomeOfStatus(res, 'WordPress');
      return { ok: false, detail: 'message' in outcome ? outcome.message : `HTTP ${res.status}` };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  /** The post with this slug in any status (drafts and scheduled ones too), or why the lookup failed. */
  private async findBySlug(wp: WordPressTarget, slug: string): Promise<PostRef | null | Outcome> {
    const res = await this.call(
      wp,
      'posts',
      'GET',
      undefined,
      `slug=${encodeURIComponent(slug)}&status=any&context=edit`,
    );
    if (res.status !== 200) return outcomeOfStatus(res, 'WordPress lookup by slug');
    const [post] = res.json<WpPost[]>();
    return post ? { externalId: String(post.id), externalUrl: post.link } : null;
  }

  /**
   * Fetches the image from our CDN and uploads it to `/wp/v2/media` (raw body,
   * `Content-Disposition: attachment; filename=…`, without which WordPress
   * answers 400); returns the attachment id.
   */
  private async uploadMedia(
    wp: WordPressTarget,
    image: NonNullable<PublishableContent['featuredImage']>,
  ): Promise<number | Outcome> {
    const source = await this.http(image.url);
    if (source.status !== 200)
      return { kind: 'transient', message: `featured image: our CDN answered ${source.status}` };
    const res = await this.call(wp, 'media', 'POST', undefined, '', {
      body: source.body,
      headers: {
        'content-type': image.contentType,
        'content-disposition': `attachment; filename="${image.filename.replace(/["\\\r\n]/g, '_')}"`,
      },
    });
    if (res.status !== 201) return outcomeOfStatus(res, 'WordPress media upload');
    return res.json<{ id: number }>().id;
  }

  /** Ids of the named terms, made when missing (`term_exists` carries the existing id). */
  private async terms(
    wp: WordPressTarget,
    taxonomy: 'categories' | 'tags',
    names: string[],
  ): Promise<number[] | Outcome> {
    const ids: number[] = [];
    for (const name of names) {
      const res = await this.call(wp, taxonomy, 'POST', { name });
      if (res.status === 201) {
        ids.push(res.json<{ id: number }>().id);
        continue;
      }
      const error = res.status === 400 ? res.json<{ code?: string; data?: { term_id?: number } }>() : null;
      if (error?.code === 'term_exists' && typeof error.data?.term_id === 'number') {
        ids.push(error.data.term_id);
        continue;
      }
      return outcomeOfStatus(res, `WordPress ${taxonomy} "${name}"`);
    }
    return ids;
  }

  private call(
    wp: WordPressTarget,
    route: string,
    method: string,
    body?: unknown,
    query = '',
    raw?: { body: Buffer; headers: Record<string, string> },
  ) {
    const url = wp.restRoute
      ? `${wp.baseUrl}/?rest_route=/wp/v2/${route}${query ? `&${query}` : ''}`
      : `${wp.baseUrl}/wp-json/wp/v2/${route}${query ? `?${query}` : ''}`;
    return this.http(url, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${wp.username}:${wp.applicationPassword}`).toString('base64')}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...raw?.headers,
      },
      body: raw ? raw.body : body === undefined ? undefined : JSON.stringify(body),
    });
  }
}

/** A reconciliation that could not look: the caller retries later. */

function wordPressTarget(target: ResolvedTarget): WordPressTarget {
  return {
    baseUrl: String(target.config['baseUrl']).replace(/\/+$/, ''),
    username: String(target.config['username']),
    applicationPassword: String(target.secret['applicationPassword']),
    restRoute: target.config['restRoute'] === true,
    categories: (target.config['categories'] as string[] | undefined) ?? [],
  };
}
