#!/usr/bin/env node
// `npm run fuzz`: the property tests at 100,000 cases each (the config reader, the XML-RPC decoder,
// the JSON routes) and the mutation parity run against supervisord's parser at 3,000 configs, with
// one fresh seed (or FUZZ_SEED to replay one). `npm test` runs the same tests at 10,000 and 300
// cases with fixed seeds.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seed = process.env.FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
const runs = process.env.FUZZ_RUNS ?? '100000';
const mutations = process.env.CONFIG_MUTATIONS ?? '3000';
console.log(`fuzz: seed ${seed} (replay with FUZZ_SEED=${seed} npm run fuzz), ${runs} reader cases, ${mutations} parity mutations`);
const run = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/config-fuzz.test.ts', 'test/config-mutations.test.ts',
  'src/xmlrpc/codec.property.test.ts', 'src/server/json-routes.property.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs, CONFIG_MUTATIONS: mutations, CONFIG_MUTATION_SEED: seed },
});
process.exit(run.status ?? 1);
