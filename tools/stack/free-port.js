// Waits until a fixed port can be bound. Ports of the local stack sit inside
// Linux's ephemeral range, so a client connection of a previous run, lingering
// in TIME_WAIT on that port number, can hold it for up to a minute.
'use strict';

const { createServer } = require('node:net');

function canBind(port, host) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

async function waitUntilBindable(port, host = '127.0.0.1', timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await canBind(port, host))) {
    if (Date.now() > deadline) throw new Error(`port ${host}:${port} stayed busy for ${timeoutMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

module.exports = { waitUntilBindable };
