import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { tempDir, writeTree } from './support/tmp.js';

describe('[include] files=', () => {
  it('reads several space-separated globs relative to the main file, in sorted order, with per-file %(here)s', () => {
    const dir = tempDir();
    writeTree(dir, {
      'etc/supervisord.conf': '[supervisord]\nlogfile=%(here)s/sup.log\n[include]\nfiles = conf.d/*.ini more/?.conf   ;可以指定一个或多个\n',
      'etc/conf.d/b.ini': '[program:b]\ncommand=%(here)s/run-b\n',
      'etc/conf.d/a.ini': '[program:a]\ncommand=/bin/cat\n',
      'etc/conf.d/.hidden.ini': '[program:hidden]\ncommand=/bin/cat\n',
      'etc/more/c.conf': '[program:c]\ncommand=/bin/cat\n[program:a]\npriority=5\n',
    });
    const result = loadConfig(join(dir, 'etc/supervisord.conf'), { cwd: dir });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.files).toEqual(['supervisord.conf', 'conf.d/a.ini', 'conf.d/b.ini', 'more/c.conf'].map((f) => join(dir, 'etc', f)));
    expect(result.infos).toEqual([
      `Included extra file "${join(dir, 'etc/conf.d/a.ini')}" during parsing`,
      `Included extra file "${join(dir, 'etc/conf.d/b.ini')}" during parsing`,
      `Included extra file "${join(dir, 'etc/more/c.conf')}" during parsing`,
    ]);
    const byName = Object.fromEntries(result.config.groups.flatMap((g) => g.processes).map((p) => [p.name, p]));
    expect(byName['b']?.command).toBe(`${join(dir, 'etc/conf.d')}/run-b`);
    expect(byName['a']?.priority).toBe(5);
    expect(byName['hidden']).toBeUndefined();
    expect(result.config.supervisord.logfile).toBe(join(dir, 'etc/sup.log'));
  });

  it('follows an [include] inside an included file, relative to that file', () => {
    const dir = tempDir();
    writeTree(dir, {
      'supervisord.conf': '[supervisord]\n[include]\nfiles=a/*.ini\n',
      'a/one.ini': '[program:one]\ncommand=/bin/cat\n[include]\nfiles=b/*.ini\n',
      'a/b/two.ini': '[program:two]\ncommand=/bin/cat\n',
    });
    const result = loadConfig(join(dir, 'supervisord.conf'), { cwd: dir });
    expect(result.ok && result.config.groups.map((g) => g.name)).toEqual(['one', 'two']);
  });

  it('warns when a pattern matches nothing, and reports problems in included files with their own name and line', () => {
    const dir = tempDir();
    writeTree(dir, {
      'supervisord.conf': '[supervisord]\n[include]\nfiles=none/*.ini conf.d/*.ini\n',
      'conf.d/web.ini': '; web\n[program:web]\ncommand=/bin/cat\nstartsecs=abc\n',
    });
    const result = loadConfig(join(dir, 'supervisord.conf'), { cwd: dir });
    expect(result.ok).toBe(false);
    expect(result.warnings).toContain(`No file matches via include "${join(dir, 'none/*.ini')}"`);
    expect(!result.ok && result.issues.map((i) => [i.file, i.line, i.section, i.key, i.value])).toEqual([
      [join(dir, 'conf.d/web.ini'), 4, 'program:web', 'startsecs', 'abc'],
    ]);
  });

  it('requires files= in [include]', () => {
    const dir = tempDir();
    writeTree(dir, { 'supervisord.conf': '[supervisord]\n[include]\n' });
    const result = loadConfig(join(dir, 'supervisord.conf'), { cwd: dir });
    expect(!result.ok && result.issues.map((i) => i.message)).toEqual(['no files= given: list the files to include (globs, separated by spaces)']);
  });

  it('reports a missing config file', () => {
    const result = loadConfig('/nonexistent/supervisord.conf');
    expect(!result.ok && result.issues.map((i) => i.message)).toEqual(['could not read config file: no such file']);
  });
});
