import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCtlConfig } from './ctl-config.js';

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function file(text: string): string {
  dir = mkdtempSync(join(tmpdir(), 'tss-ctl-'));
  const path = join(dir, 'supervisord.conf');
  writeFileSync(path, text);
  return path;
}

describe('[supervisorctl] config', () => {
  it('reads serverurl (normalised, %(here)s), credentials, prompt and history_file', () => {
    const path = file('[supervisorctl]\nserverurl=unix://%(here)s/../x/s.sock\nusername=u\npassword=p\nprompt=box\nhistory_file=%(here)s/h\n');
    expect(loadCtlConfig(path, { env: {} })).toEqual({
      ok: true,
      config: { serverurl: `unix://${join(dir, '..', 'x', 's.sock')}`, username: 'u', password: 'p', prompt: 'box', historyFile: join(dir, 'h') },
    });
  });

  it('ignores programs the daemon would refuse', () => {
    const path = file('[supervisorctl]\n[program:bad]\nstartsecs=abc\n');
    expect(loadCtlConfig(path, { env: {} })).toMatchObject({ ok: true, config: { serverurl: 'http://localhost:9001', prompt: 'supervisor' } });
  });

  it("reports supervisorctl's messages for a missing file or section", () => {
    expect(loadCtlConfig('/nonexistent/x.conf')).toEqual({ ok: false, message: 'could not find config file /nonexistent/x.conf' });
    expect(loadCtlConfig(file('[supervisord]\n'))).toEqual({ ok: false, message: '.ini file does not include supervisorctl section' });
  });
});
