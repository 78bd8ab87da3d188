// The platform's processes, in start order. One place: the local stack,
// the tests and the benchmarks read it. Ports are local defaults only.
'use strict';

/** @type {{ name: string, httpPort: number, database: string | null }[]} */
const SERVICES = [{ name: 'control-plane', httpPort: 3101, database: 'control_plane' }];

const GATEWAY = { name: 'api-gateway', httpPort: 3000 };

module.exports = { SERVICES, GATEWAY };
