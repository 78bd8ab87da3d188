#!/usr/bin/env node
// The public API's OpenAPI document as a release artefact, deploy/openapi.json
// (`nx run api-gateway:openapi` writes it from the built gateway).
// `--check` (npm test, via deploy/test/openapi.spec.ts) fails when:
// - deploy/openapi.json is not what the gateway now describes (run the target);
// - it breaks a client of the previous version (tools/openapi/diff.js) and
//   deploy/openapi-changelog.md does not quote that change.
// The previous version is deploy/openapi.json at OPENAPI_BASE_REF, or at the
// merge base with origin/main on a branch, or at HEAD~1 on main.
'use strict';

const { execFileSync } = require('node:child_process');
const { readFileSync, writeFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const { breakingChanges } = require('./openapi/diff');
const { gatewayDocument } = require('./openapi/document');

const ROOT = join(__dirname, '..');
const ARTEFACT = 'deploy/openapi.json';
const CHANGELOG = 'deploy/openapi-changelog.md';

function render(document) {
  return `${JSON.stringify(document, null, 2)}\n`;
}

function git(args) {
  try {
    return execFileSync('git', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

/** The ref whose deploy/openapi.json is "the previous version" (null: none to compare with). */
function baseRef(env = process.env) {
  if (env.OPENAPI_BASE_REF) return env.OPENAPI_BASE_REF;
  const head = git(['rev-parse', 'HEAD']);
  const main = git(['rev-parse', '--verify', '-q', 'origin/main']);
  if (head && main && head !== main) return git(['merge-base', 'HEAD', 'origin/main']);
  return git(['rev-parse', '--verify', '-q', 'HEAD~1']);
}

/** The previous version of the document, or null when there is none (first version, no history). */
function previousDocument(ref) {
  if (!ref) return null;
  const text = git(['show', `${ref}:${ARTEFACT}`]);
  return text ? JSON.parse(text) : null;
}

/** Breaking changes not quoted in the changelog. */
function unacknowledged(changes, changelog) {
  return changes.filter((change) => !changelog.includes(change));
}

/** Everything --check finds wrong, as messages (empty: fine). */
function problems() {
  const current = gatewayDocument();
  const out = [];
  const committed = existsSync(join(ROOT, ARTEFACT)) ? readFileSync(join(ROOT, ARTEFACT), 'utf8') : '';
  if (committed !== render(current)) {
    out.push(`${ARTEFACT} is not what the gateway describes: run npx nx run api-gateway:openapi`);
  }
  const ref = baseRef();
  const previous = previousDocument(ref);
  if (previous) {
    const changelog = existsSync(join(ROOT, CHANGELOG)) ? readFileSync(join(ROOT, CHANGELOG), 'utf8') : '';
    for (const change of unacknowledged(breakingChanges(previous, current), changelog)) {
      out.push(`breaking change since ${ref.slice(0, 12)} not in ${CHANGELOG}: ${change}`);
    }
  }
  return out;
}

if (require.main === module) {
  if (process.argv.includes('--check')) {
    const found = problems();
    for (const problem of found) process.stderr.write(`${problem}\n`);
    process.exit(found.length ? 1 : 0);
  }
  writeFileSync(join(ROOT, ARTEFACT), render(gatewayDocument()));
  process.stdout.write(`wrote ${ARTEFACT}\n`);
}

module.exports = { problems, baseRef, previousDocument, unacknowledged, render, ARTEFACT, CHANGELOG };
