// A destination that answers at once: the WordPress routes the adapter calls
// (lookup by slug, create), for measuring the platform rather than the target.
'use strict';

const { createServer } = require('node:http');

let nextId = 1;
createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url, 'http://target');
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && url.pathname === '/wp-json/wp/v2/posts') {
      res.setHeader('X-WP-Total', '0');
      return res.end('[]');
    }
    if (req.method === 'POST' && url.pathname.startsWith('/wp-json/wp/v2/posts')) {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      const id = nextId++;
      res.statusCode = 201;
      return res.end(
        JSON.stringify({
          id,
          link: `http://127.0.0.1/${body.slug}/`,
          slug: body.slug,
          status: 'publish',
          categories: [],
          tags: [],
        }),
      );
    }
    res.statusCode = 404;
    res.end('{}');
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () =>
  process.stdout.write(`no-delay target on ${process.env.PORT}\n`),
);
