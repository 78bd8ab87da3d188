#!/usr/bin/env node
// `npm run bench`: every benchmark in bench/, one after another.
'use strict';

const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

for (const script of ['control-plane-read.js', 'content.js', 'publishing.js', 'notifications.js']) {
  execFileSync(process.execPath, [join(__dirname, script), ...process.argv.slice(2)], { stdio: 'inherit' });
}
