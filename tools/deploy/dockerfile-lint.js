// Our rules for docker/Dockerfile, on dockerfile-ast's parse:
// - every base image pinned (an exact version tag or a digest), ARG defaults resolved;
// - no ADD of a URL (the build fetches nothing unchecked);
// - no secret in ENV or ARG (they stay in the image's history);
// - the final stage: a non-root USER, NODE_ENV=production, a HEALTHCHECK,
//   no package manager run in it and none left in it.
// `lint(text)` returns the problems; `node tools/deploy/dockerfile-lint.js [file]` prints them.
'use strict';

const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { DockerfileParser } = require('dockerfile-ast');

const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_?KEY)/i;
/** `node:24.22.3-bookworm-slim`, `x@sha256:…`: a release, not a moving line like `24` or `lts`. */
const PINNED = /(@sha256:[0-9a-f]{64}$)|(:\d+\.\d+\.\d+[^:@/]*$)/;

function lint(text) {
  const dockerfile = DockerfileParser.parse(text);
  const problems = [];
  const args = new Map();
  const stages = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const line = instruction.getRange().start.line + 1;
    const values = instruction.getArguments().map((argument) => argument.getValue());
    if (keyword === 'ARG') {
      const [name, value] = values[0].split(/=(.*)/s);
      if (SECRET_NAME.test(name))
        problems.push(`line ${line}: ARG ${name} looks like a secret (use a build secret mount)`);
      if (stages.length === 0 && value !== undefined) args.set(name, value);
    } else if (keyword === 'FROM') {
      const image = values[0].replace(
        /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
        (_all, name) => args.get(name) ?? '',
      );
      const isStage = stages.some((stage) => stage.name === image);
      if (!isStage && !PINNED.test(image))
        problems.push(`line ${line}: base image ${image || values[0]} is not pinned`);
      stages.push({ name: values[2] ?? null, instructions: [] });
    } else if (keyword === 'ENV') {
      for (const value of values) {
        const name = value.split('=')[0];
        if (SECRET_NAME.test(name))
          problems.push(`line ${line}: ENV ${name} looks like a secret (pass it at run time)`);
      }
    } else if (keyword === 'ADD' && values.some((value) => /^(https?|git|ftp):\/\/|^git@/.test(value))) {
      problems.push(`line ${line}: ADD of a URL (download in a RUN with a checksum, or COPY)`);
    }
    if (stages.length) stages.at(-1).instructions.push({ keyword, values, line });
  }
  const last = stages.at(-1);
  if (!last) return ['no FROM'];
  const final = last.instructions;
  const users = final.filter((i) => i.keyword === 'USER');
  const user = users.at(-1)?.values[0];
  if (!user || /^(root|0)(:|$)/.test(user))
    problems.push('the final stage runs as root (no USER, or USER root)');
  if (!final.some((i) => i.keyword === 'ENV' && i.values.includes('NODE_ENV=production')))
    problems.push('the final stage does not set NODE_ENV=production');
  if (!final.some((i) => i.keyword === 'HEALTHCHECK' && i.values[0] !== 'NONE'))
    problems.push('the final stage has no HEALTHCHECK');
  for (const i of final.filter((i) => i.keyword === 'RUN')) {
    const command = i.values.join(' ');
    if (
      /\b(npm|npx|yarn|pnpm|corepack)\s+(install|ci|i|add|run|exec)\b/.test(command) ||
      /\bnx\b/.test(command)
    )
      problems.push(`line ${i.line}: the final stage runs a package manager or build tool`);
  }
  if (!final.some((i) => i.keyword === 'RUN' && /rm\b.*\/usr\/local\/bin\/npm\b/.test(i.values.join(' '))))
    problems.push('the final stage keeps npm (remove it: nothing that runs needs it)');
  return problems;
}

if (require.main === module) {
  const file = process.argv[2] ?? join(__dirname, '../../docker/Dockerfile');
  const problems = lint(readFileSync(file, 'utf8'));
  for (const problem of problems) process.stderr.write(`${file}: ${problem}\n`);
  process.exit(problems.length ? 1 : 0);
}

module.exports = { lint };
