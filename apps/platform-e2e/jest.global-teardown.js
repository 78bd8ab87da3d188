// After the e2e specs: stop the shared platforms and drop their databases.
module.exports = async function globalTeardown() {
  const child = globalThis.__SMARTBEAK_E2E_SHARED__;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
  child.kill('SIGTERM');
  await exited;
  clearTimeout(kill);
};
