import { execa } from 'execa';
import { appendFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CTL_BIN } from './support/bins.js';
import { controlledDaemonHeader } from './support/configs.js';
import { startDaemon } from './support/daemon-process.js';
import { tempDir } from './support/tmp.js';

function config(dir: string, programs: string): string {
  return controlledDaemonHeader(dir) + programs;
}

const sleeper = (name: string, seconds = 1000): string => `[program:${name}]\ncommand=/bin/sleep ${seconds}\nstartsecs=0\n`;

async function ctl(dir: string, ...args: string[]): Promise<{ rc: number | undefined; out: string }> {
  const r = await execa(process.execPath, [CTL_BIN, '-c', `${dir}/sup.conf`, ...args], { reject: false, timeout: 20_000 });
  return { rc: r.exitCode, out: r.stdout + r.stderr };
}

describe('tssupervisorctl reread/update against tssupervisord', () => {
  it('adds, replaces and removes groups, leaves unchanged ones alone, and a broken config changes nothing', async () => {
    const dir = tempDir();
    writeFileSync(`${dir}/sup.conf`, config(dir, sleeper('keep') + sleeper('change') + sleeper('drop')));
    const d = startDaemon(['-c', `${dir}/sup.conf`, '-n'], dir, `${dir}/sup.log`);
    await d.waitForLog(/success: drop entered RUNNING/u);
    await d.waitForLog(/success: keep entered RUNNING/u);
    await d.waitForLog(/success: change entered RUNNING/u);
    const pidOf = async (name: string): Promise<string> => (await ctl(dir, 'pid', name)).out;
    const keepPid = await pidOf('keep');

    // A broken file: every problem is reported, nothing changes.
    writeFileSync(`${dir}/sup.conf`, config(dir, `${sleeper('keep')}[program:bad]\ncommand=/bin/cat\nstartsecs=abc\nautorestart=maybe\n`));
    // As supervisorctl: `reread` prints the fault, `update` lets it escape as an error line.
    const reread = await ctl(dir, 'reread');
    expect(reread.rc).toBe(1);
    expect(reread.out).toMatch(/^ERROR: CANT_REREAD: /u);
    const broken = await ctl(dir, 'update');
    expect(broken.rc).toBe(1);
    expect(broken.out).toContain('<Fault 92: "CANT_REREAD: ');
    expect(broken.out).toContain("[program:bad] startsecs='abc': not an integer");
    expect(broken.out).toContain("[program:bad] autorestart='maybe': not a valid autorestart value (true, false or unexpected)");
    expect((await ctl(dir, 'status')).out).toMatch(/^drop +RUNNING/mu);

    // The real change: `change` differs, `drop` is gone, `fresh` is new, `keep` is the same.
    writeFileSync(`${dir}/sup.conf`, config(dir, sleeper('keep') + sleeper('change', 2000)));
    appendFileSync(`${dir}/sup.conf`, sleeper('fresh'));
    expect(await ctl(dir, 'reread')).toEqual({ rc: 0, out: 'change: changed\ndrop: disappeared\nfresh: available' });
    const update = await ctl(dir, 'update');
    expect(update.rc).toBe(0);
    expect(update.out.split('\n').sort()).toEqual([
      'change: stopped', 'change: updated process group', 'drop: removed process group', 'drop: stopped', 'fresh: added process group',
    ]);
    await d.waitForLog(/success: fresh entered RUNNING/u);
    expect(await pidOf('keep')).toBe(keepPid);
    const status = (await ctl(dir, 'status')).out;
    expect(status).not.toMatch(/^drop/mu);
    expect(status).toMatch(/^fresh +RUNNING/mu);
    expect((await ctl(dir, 'shutdown')).out).toBe('Shut down');
    expect(await d.exited()).toBe(0);
  }, 60_000);
});
