// tssupervisorctl run as the installed command (its shebang, as npm's bin link runs it) leaves
// NODE_EXTRA_CA_CERTS out of its own process: Node would read and parse that bundle at start,
// ~40 ms on a host that sets it system-wide, for a client that never speaks TLS. A bundle Node
// cannot load makes the difference visible: Node warns about it, at start, on stderr.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { CTL_BIN } from './support/bins.js';

const MISSING_BUNDLE = '/nonexistent/tss-extra-ca.pem';
const env = { ...process.env, NODE_EXTRA_CA_CERTS: MISSING_BUNDLE };

describe('tssupervisorctl as a command', () => {
  it('starts without loading NODE_EXTRA_CA_CERTS, and still works', async () => {
    const command = await execa(CTL_BIN, ['-h'], { env, reject: false, timeout: 15_000 });
    expect(command.exitCode).toBe(0);
    expect(command.stdout).toContain('Usage: ');
    expect(command.stderr).toBe('');
  });

  it('is what spares it: node on the same file reads the bundle and warns', async () => {
    const viaNode = await execa(process.execPath, [CTL_BIN, '-h'], { env, reject: false, timeout: 15_000 });
    expect(viaNode.exitCode).toBe(0);
    expect(viaNode.stderr).toContain(MISSING_BUNDLE);
  });
});
