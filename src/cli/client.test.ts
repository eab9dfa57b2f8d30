import { describe, expect, it } from 'vitest';
import { SupervisorError } from '../errors.js';
import { encodeFault, encodeMethodResponse, parseMethodCall } from '../xmlrpc/codec.js';
import { encodeJsonFault, encodeJsonResponse } from '../xmlrpc/json-form.js';
import { XmlRpcControlClient } from './client.js';
import { RemoteFault } from './failures.js';
import type { RpcReply, ServerTarget } from './transport.js';

const target: ServerTarget = { serverurl: 'unix:///tmp/x.sock', username: null, password: null };

/** A reply in XML, as supervisord (and tssupervisord to other clients) sends it. */
const xml = (body: string): RpcReply => ({ body, json: false });

describe('XmlRpcControlClient', () => {
  it('calls supervisor.<method> with the given arguments, omitting an unset wait', async () => {
    const sent: { methodName: string; params: unknown[] }[] = [];
    const client = new XmlRpcControlClient(target, (_t, body) => {
      sent.push(parseMethodCall(body));
      return Promise.resolve(xml(encodeMethodResponse(true)));
    });
    await client.startProcess('sleeper');
    await client.stopProcessGroup('grp', false);
    await client.readProcessStdoutLog('sleeper', -1600, 0);
    expect(sent).toEqual([
      { methodName: 'supervisor.startProcess', params: ['sleeper'] },
      { methodName: 'supervisor.stopProcessGroup', params: ['grp', false] },
      { methodName: 'supervisor.readProcessStdoutLog', params: ['sleeper', -1600, 0] },
    ]);
  });

  it('throws faults as SupervisorError with the server text, unknown ones as RemoteFault', async () => {
    const answer = (body: string): XmlRpcControlClient => new XmlRpcControlClient(target, () => Promise.resolve(xml(body)));
    const bad = await answer(encodeFault(10, 'BAD_NAME: nosuch')).getPID().catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(SupervisorError);
    expect(bad).toMatchObject({ fault: 'BAD_NAME', detail: 'nosuch', faultCode: 10, faultString: 'BAD_NAME: nosuch' });
    const plain = await answer(encodeFault(6, 'SHUTDOWN_STATE')).getPID().catch((e: unknown) => e);
    expect(plain).toMatchObject({ fault: 'SHUTDOWN_STATE', detail: null });
    const odd = await answer(encodeFault(123, 'strange')).getPID().catch((e: unknown) => e);
    expect(odd).toBeInstanceOf(RemoteFault);
    expect(odd).toMatchObject({ faultCode: 123, faultString: 'strange' });
  });

  it('reads a reply in the JSON form as the same value or fault the XML gives', async () => {
    const json = (body: string): XmlRpcControlClient => new XmlRpcControlClient(target, () => Promise.resolve({ body, json: true }));
    expect(await json(encodeJsonResponse([[['a'], [], ['b']]])).reloadConfig()).toEqual([[['a'], [], ['b']]]);
    expect(await json(encodeJsonFault(10, 'BAD_NAME: nosuch')).getPID().catch((e: unknown) => e)).toMatchObject({ fault: 'BAD_NAME', detail: 'nosuch' });
    // The same body marked as XML is read as XML (supervisord's replies): here, not XML at all.
    const asXml = new XmlRpcControlClient(target, () => Promise.resolve(xml(encodeJsonResponse(1))));
    await expect(asXml.getPID()).rejects.toThrow(/XML|element/u);
  });

  it('returns values as the server sent them', async () => {
    const client = new XmlRpcControlClient(target, () => Promise.resolve(xml(encodeMethodResponse([[['a'], [], ['b']]]))));
    expect(await client.reloadConfig()).toEqual([[['a'], [], ['b']]]);
  });
});
