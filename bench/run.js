#!/usr/bin/env node
// `npm run bench`: every benchmark in bench/, one after another, then one
// table of the performance goals (docs/decisions and issue "Performance":
// each row the platform, its baseline from the same run, the ratio and the
// goal), written to bench/results/summary-<time>.json so runs can be compared.
//   npm run bench [-- --only control-plane-read,publishing] [-- <args every script takes>]
'use strict';

const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { cpus } = require('node:os');
const { join } = require('node:path');

const { table } = require('./lib');

const SCRIPTS = ['control-plane-read', 'content', 'publishing', 'peers', 'notifications'];

function main() {
  const args = process.argv.slice(2);
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args.splice(onlyAt, 2)[1].split(',') : SCRIPTS;
  const started = new Date();
  for (const script of SCRIPTS.filter((s) => only.includes(s))) {
    execFileSync(process.execPath, [join(__dirname, `${script}.js`), ...args], { stdio: 'inherit' });
  }
  const rows = summary(started);
  if (!rows.length) return;
  process.stdout.write(`\nperformance goals, this run (${cpus().length} cores)\n\n${table(rows)}\n\n`);
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  const file = join(__dirname, `results/summary-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ at: started.toISOString(), cores: cpus().length, rows }, null, 2));
  process.stdout.write(`written to ${file}\n`);
}

/** This run's result of `name` (written after `since`), or undefined. */
function result(name, since) {
  const file = join(__dirname, `results/${name}.json`);
  if (!existsSync(file)) return undefined;
  const data = JSON.parse(readFileSync(file, 'utf8'));
  return new Date(data.at) >= since ? data : undefined;
}

const pct = (value, of) => `${Math.round((value / of) * 100)} %`;

/** The goal rows, from each script's JSON of this run. */
function summary(since) {
  const rows = [];
  const paired = (data, route, goal) => {
    const raw = data.rows.find((r) => r.route === route && r.path.startsWith('raw'));
    const ours = data.rows.find((r) => r.route === route && !r.path.startsWith('raw'));
    if (!raw || !ours) return;
    rows.push({
      measure: route,
      platform: `${ours['req/s']} req/s`,
      baseline: `${raw['req/s']} req/s (raw)`,
      ratio: pct(ours['req/s'], raw['req/s']),
      goal,
      'p99 ms': ours['p99 ms'],
      'p99 ms at 500/s': ours['p99 ms at 500/s'] ?? '',
      'CPU per op (µs)': ours['CPU µs per request'] ?? '',
      commits: ours['commits per request'] ?? '',
    });
  };
  const reads = result('control-plane-read', since);
  if (reads) {
    paired(reads, 'GET /api/me', '≥ 50 %, p99 ≤ 20 ms at 500/s');
    paired(reads, 'GET /api/domains/:id', '≥ 50 %, p99 ≤ 20 ms at 500/s');
  }
  const content = result('content', since);
  if (content) {
    paired(content, 'GET /api/content/:id', '≥ 60 % (and ≥ 50 %, p99 ≤ 20 ms at 500/s)');
    paired(content, 'GET /api/content?limit=20', '≥ 70 %');
    paired(content, 'POST /api/content', 'commit-bound');
    paired(content, 'POST /api/content/update', 'commit-bound');
  }
  const publishing = result('publishing', since);
  if (publishing) {
    const raw = publishing.rows[0];
    for (const r of publishing.rows.slice(1)) {
      const cpu = publishing.cpuMsPerJob.find((c) => c.path === r.path) ?? {};
      const batch = r.path.includes('batch');
      rows.push({
        measure: r.path,
        platform: `${r['jobs/s']} jobs/s (accepted ${r['accept/s']}/s)`,
        baseline: `${raw['jobs/s']} jobs/s (raw BullMQ)`,
        ratio: pct(r['jobs/s'], raw['jobs/s']),
        goal: batch ? '≥ 500 jobs/s, accepted ≥ 1,000/s' : '',
        'CPU per op (µs)': Object.entries(cpu)
          .filter(([k]) => k !== 'path')
          .sort((a, b) => b[1] - a[1])
          .map(([k, ms]) => `${k} ${Math.round(ms * 1000)}`)
          .join(' · '),
      });
    }
    for (const a of [].concat(publishing.scheduledAccuracy ?? [])) {
      rows.push({
        measure: a.path,
        platform: `first attempts p50 ${a['p50 late ms']} / p99 ${a['p99 late ms']} ms late, ${a.early} early`,
        goal: a.path.includes('within') ? 'p99 ≤ 1,000 ms late, none early' : '',
      });
    }
  }
  const peers = result('peers', since);
  if (peers) {
    for (let i = 0; i + 1 < peers.rows.length; i += 2) {
      const [theirs, ours] = [peers.rows[i], peers.rows[i + 1]];
      rows.push({
        measure: `content ${ours.operation} vs ${peers.peer}`,
        platform: `${ours['req/s']} req/s, p99 ${ours['p99 ms']} ms`,
        baseline: `${theirs['req/s']} req/s, p99 ${theirs['p99 ms']} ms`,
        ratio: `${ours['× Directus req/s']}×, p99 ${ours['p99 ÷ Directus p99']}×`,
        goal: '≥ 5×, p99 ≤ 0.2×',
        'CPU per op (µs)': ours['CPU µs per request'],
      });
    }
  }
  return rows;
}

main();
