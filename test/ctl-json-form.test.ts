// tssupervisorctl asks /RPC2 for the JSON form (src/xmlrpc/json-form.ts) and the daemon sends it;
// a client that does not ask (the stock supervisorctl, Ansible) still gets XML. Both forms carry
// the same answer, here read from a real daemon over its real unix socket, and the ctl's own
// output does not change with the form (the XML one is what test/ctl-vs-supervisorctl.test.ts
// holds equal to supervisorctl's).

import { request } from 'node:http';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { XmlRpcControlClient } from '../src/cli/client.js';
import { postXmlRpc, type ServerTarget } from '../src/cli/transport.js';
import { encodeMethodCall, parseMethodResponse } from '../src/xmlrpc/codec.js';
import { parseJsonResponse } from '../src/xmlrpc/json-form.js';
import { CTL_BIN } from './support/bins.js';
import { startSleeperAndIdle } from './support/daemon-process.js';

/** POSTs `body` to /RPC2 as a plain XML-RPC client does (no Accept), with node:http. */
function plainPost(socketPath: string, body: string): Promise<{ type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'POST', path: '/RPC2', headers: { 'Content-Type': 'text/xml' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { resolve({ type: String(res.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') }); });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the JSON form between tssupervisorctl and tssupervisord', () => {
  it('is what the ctl gets; a client that does not ask gets XML; both say the same', async () => {
    const { dir } = await startSleeperAndIdle();
    const target: ServerTarget = { serverurl: `unix://${dir}/s.sock`, username: null, password: null };

    for (const [method, params] of [['supervisor.getAllConfigInfo', []], ['supervisor.getProcessInfo', ['idle']], ['supervisor.getProcessInfo', ['nosuch']]] as const) {
      const call = encodeMethodCall(method, params);
      const json = await postXmlRpc(target, call);
      expect(json.json, method).toBe(true);
      const xml = await plainPost(`${dir}/s.sock`, call);
      expect(xml.type, method).toMatch(/^text\/xml/u);
      expect(parseJsonResponse(json.body), method).toEqual(parseMethodResponse(xml.body));
    }
    expect(await new XmlRpcControlClient(target).getProcessInfo('idle')).toMatchObject({ name: 'idle', statename: 'STOPPED' });

    const status = await execa(process.execPath, [CTL_BIN, '-c', `${dir}/sup.conf`, 'status'], { reject: false, timeout: 15_000 });
    expect(status.stdout).toMatch(/^idle {29}STOPPED {3}Not started\nsleeper {26}RUNNING {3}pid \d+, uptime 0:00:\d\d$/u);
  });
});
