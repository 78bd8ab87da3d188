import { type Answer, type FakeRequest, HttpFake } from './http-fake';

export interface FakeWpPost {
  id: number;
  featuredMedia: number;
  slug: string;
  title: string;
  content: string;
  excerpt: string;
  status: string;
  categories: number[];
  tags: number[];
}

/**
 * The parts of the WordPress 6.x REST API (`/wp-json/wp/v2`, or
 * `/?rest_route=/wp/v2`) the WordPress adapter uses, as WordPress answers
 * them: Basic auth by application password (401 `incorrect_password`),
 * `term_exists` with the existing id, unknown term ids dropped silently,
 * slugs made unique by suffix, `X-WP-Total` on lists, 404 `rest_post_invalid_id`.
 * Routes for scripting misbehaviour: `create-post`, `update-post`, `find-posts`, `terms`, `me`.
 */
export class FakeWordPress extends HttpFake {
  readonly posts = new Map<number, FakeWpPost>();
  readonly terms = { categories: new Map<number, string>(), tags: new Map<number, string>() };
  /** Uploaded attachments: id → bytes and type. */
  readonly media = new Map<number, { filename: string; contentType: string; bytes: number }>();
  private nextId = 100;

  constructor(
    readonly username = 'editor',
    readonly password = 'abcd efgh ijkl mnop',
  ) {
    super(
      (req) => this.answer(req),
      (req) => routeOf(req),
    );
  }

  /** A publishing target's `config` for this site (its URL and the application password). */
  targetConfig(): { baseUrl: string; username: string; applicationPassword: string } {
    return { baseUrl: this.url, username: this.username, applicationPassword: this.password };
  }

  /** How many posts carry this slug (the no-duplicate check). */
  postsWithSlug(slug: string): number {
    return [...this.posts.values()].filter((post) => post.slug === slug || post.slug.startsWith(`${slug}-`))
      .length;
  }

  private answer(req: FakeRequest): Answer {
    const auth = req.headers.authorization ?? '';
    const expected = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
    if (auth !== expected) {
      return auth
        ? {
            status: 401,
            body: {
              code: 'incorrect_password',
              message: 'The provided password is an invalid application password.',
              data: { status: 401 },
            },
          }
        : {
            status: 401,
            body: {
              code: 'rest_not_logged_in',
              message: 'You are not currently logged in.',
              data: { status: 401 },
            },
          };
    }
    const route = wpRoute(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (route === 'users/me' && req.method === 'GET')
      return { status: 200, body: { id: 1, name: 'Editor', slug: this.username } };
    const taxonomy = /^(categories|tags)$/.exec(route)?.[1] as 'categories' | 'tags' | undefined;
    if (taxonomy && req.method === 'POST') {
      const name = String(body['name'] ?? '').trim();
      if (!name)
        return {
          status: 400,
          body: {
            code: 'rest_missing_callback_param',
            message: 'Missing parameter(s): name',
            data: { status: 400 },
          },
        };
      const existing = [...this.terms[taxonomy]].find(([, n]) => n.toLowerCase() === name.toLowerCase());
      if (existing) {
        return {
          status: 400,
          body: {
            code: 'term_exists',
            message: 'A term with the name provided already exists in this taxonomy.',
            data: { status: 400, term_id: existing[0] },
          },
        };
      }
      const id = this.nextId++;
      this.terms[taxonomy].set(id, name);
      return { status: 201, body: { id, name, slug: name.toLowerCase().replace(/[^a-z0-9]+/g, '-') } };
    }
    if (route === 'media' && req.method === 'POST') {
      const disposition = String(req.headers['content-disposition'] ?? '');
      const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1];
      if (!filename) {
        return {
          status: 400,
          body: {
            code: 'rest_upload_no_content_disposition',
            message: 'No Content-Disposition supplied.',
            data: { status: 400 },
          },
        };
      }
      const bytes = Buffer.isBuffer(req.body) ? req.body.length : 0;
      if (!bytes)
        return {
          status: 400,
          body: { code: 'rest_upload_no_data', message: 'No data supplied.', data: { status: 400 } },
        };
      const id = this.nextId++;
      this.media.set(id, { filename, contentType: String(req.headers['content-type'] ?? ''), bytes });
      return {
        status: 201,
        body: { id, media_type: 'image', source_url: `${this.url}/wp-content/uploads/${filename}` },
      };
    }
    if (route === 'posts' && req.method === 'GET') {
      const slug = req.query.get('slug');
      const found = [...this.posts.values()].filter((post) => !slug || post.slug === slug);
      return {
        status: 200,
        body: found.map((post) => this.view(post)),
        headers: { 'X-WP-Total': String(found.length), 'X-WP-TotalPages': '1' },
      };
    }
    if (route === 'posts' && req.method === 'POST') {
      if (!body['title'] && !body['content'])
        return {
          status: 400,
          body: {
            code: 'empty_content',
            message: 'Content, title, and excerpt are empty.',
            data: { status: 400 },
          },
        };
      const post = this.write(
        {
          id: this.nextId++,
          featuredMedia: 0,
          slug: '',
          title: '',
          content: '',
          excerpt: '',
          status: 'draft',
          categories: [],
          tags: [],
        },
        body,
      );
      this.posts.set(post.id, post);
      return { status: 201, body: this.view(post) };
    }
    const update = /^posts\/(\d+)$/.exec(route);
    if (update && req.method === 'POST') {
      const post = this.posts.get(Number(update[1]));
      if (!post)
        return {
          status: 404,
          body: { code: 'rest_post_invalid_id', message: 'Invalid post ID.', data: { status: 404 } },
        };
      this.write(post, body);
      return { status: 200, body: this.view(post) };
    }
    return {
      status: 404,
      body: {
        code: 'rest_no_route',
        message: 'No route was found matching the URL and request method.',
        data: { status: 404 },
      },
    };
  }

  private write(post: FakeWpPost, body: Record<string, unknown>): FakeWpPost {
    if (typeof body['title'] === 'string') post.title = body['title'];
    if (typeof body['content'] === 'string') post.content = body['content'];
    if (typeof body['excerpt'] === 'string') post.excerpt = body['excerpt'];
    if (typeof body['status'] === 'string') post.status = body['status'];
    // An unknown attachment id is dropped silently, as WordPress does.
    if (typeof body['featured_media'] === 'number')
      post.featuredMedia = this.media.has(body['featured_media']) ? body['featured_media'] : 0;
    // Unknown term ids are dropped without a word, as WordPress does.
    if (Array.isArray(body['categories']))
      post.categories = (body['categories'] as number[]).filter((id) => this.terms.categories.has(id));
    if (Array.isArray(body['tags']))
      post.tags = (body['tags'] as number[]).filter((id) => this.terms.tags.has(id));
    if (typeof body['slug'] === 'string' && body['slug'] !== post.slug) {
      let slug = body['slug'];
      for (
        let n = 2;
        [...this.posts.values()].some((other) => other.id !== post.id && other.slug === slug);
        n++
      )
        slug = `${body['slug']}-${n}`;
      post.slug = slug;
    }
    return post;
  }

  private view(post: FakeWpPost) {
    const published = post.status === 'publish';
    return {
      id: post.id,
      slug: post.slug,
      status: post.status,
      link: published ? `${this.url}/${post.slug}/` : `${this.url}/?p=${post.id}`,
      title: { raw: post.title, rendered: post.title.replace(/&/g, '&#038;') },
      content: { raw: post.content, rendered: post.content },
      excerpt: { raw: post.excerpt, rendered: post.excerpt },
      categories: post.categories,
      tags: post.tags,
      featured_media: post.featuredMedia,
    };
  }
}

function wpRoute(req: FakeRequest): string {
  const route =
    req.query.get('rest_route') ??
    (req.path.startsWith('/wp-json') ? req.path.slice('/wp-json'.length) : req.path);
  return route.replace(/^\/wp\/v2\//, '').replace(/\/$/, '');
}

function routeOf(req: FakeRequest): string {
  const route = wpRoute(req);
  if (route === 'posts') return req.method === 'POST' ? 'create-post' : 'find-posts';
  if (/^posts\/\d+$/.test(route)) return 'update-post';
  if (route === 'categories' || route === 'tags') return 'terms';
  if (route === 'media') return 'upload-media';
  return route === 'users/me' ? 'me' : route;
}
