import { type Answer, type FakeRequest, HttpFake } from './http-fake';

/**
 * LinkedIn's Posts API as the adapter uses it: `POST /rest/posts` needs a
 * Bearer token, `LinkedIn-Version: YYYYMM` and `X-Restli-Protocol-Version:
 * 2.0.0`, answers 201 with the new URN in `x-restli-id`; 401
 * `INVALID_ACCESS_TOKEN` (serviceErrorCode 65600); `GET /v2/userinfo`.
 * Routes for scripting misbehaviour: `create-post`, `userinfo`.
 */
export class FakeLinkedIn extends HttpFake {
  readonly posts: { urn: string; author: string; commentary: string; article: unknown }[] = [];
  private serial = 0;

  constructor(readonly accessToken = 'li-token') {
    super(
      (req) => this.answer(req),
      (req) =>
        req.path === '/rest/posts' ? 'create-post' : req.path === '/v2/userinfo' ? 'userinfo' : req.path,
    );
  }

  private answer(req: FakeRequest): Answer {
    if (req.headers.authorization !== `Bearer ${this.accessToken}`) {
      return {
        status: 401,
        body: {
          status: 401,
          serviceErrorCode: 65600,
          code: 'INVALID_ACCESS_TOKEN',
          message: 'Invalid access token',
        },
      };
    }
    if (req.path === '/v2/userinfo' && req.method === 'GET')
      return { status: 200, body: { sub: 'abc123', name: 'Brand Page Admin' } };
    if (req.path === '/rest/posts' && req.method === 'POST') {
      if (!/^\d{6}$/.test(String(req.headers['linkedin-version'] ?? ''))) {
        return {
          status: 400,
          body: {
            status: 400,
            code: 'VERSION_MISSING',
            message:
              'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
          },
        };
      }
      if (req.headers['x-restli-protocol-version'] !== '2.0.0') {
        return {
          status: 400,
          body: { status: 400, message: 'The Rest.li protocol version 2.0.0 is required' },
        };
      }
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body['author'] !== 'string' || body['lifecycleState'] !== 'PUBLISHED') {
        return {
          status: 422,
          body: {
            status: 422,
            message: 'ERROR :: /author :: field is required but not found and has no default value',
          },
        };
      }
      const urn = `urn:li:share:70000000${String(++this.serial).padStart(10, '0')}`;
      this.posts.push({
        urn,
        author: body['author'],
        commentary: String(body['commentary'] ?? ''),
        article: (body['content'] as { article?: unknown })?.article,
      });
      return { status: 201, headers: { 'x-restli-id': urn } };
    }
    return { status: 404, body: { status: 404, message: `No resource found for ${req.path}` } };
  }
}
