#!/usr/bin/env -S node --max-semi-space-size=1 --jitless --no-expose-wasm --optimize-for-size
// The flags are the daemon's V8 flags (src/main/node-flags.ts says why); started as
// `node tssupervisord.js`, the daemon restarts itself with them first (src/main/relaunch.ts).
import { relaunchWithNodeFlags } from '../dist/main/relaunch.js';

relaunchWithNodeFlags();
await import('../dist/main/daemon.js');
