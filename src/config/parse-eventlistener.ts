// [eventlistener:x] options beyond a program's (options.py process_groups_from_parser).

import { EVENT_TYPE_NAMES } from '../events/types.js';
import { pluginSpec } from './plugin-spec.js';
import type { SectionReader } from './section-reader.js';
import type { GroupConfig } from './schema.js';
import { boolean, integer, listOfStrings, ValueProblem } from './values.js';

/** supervisor.events.EventTypes: the names `events=` may list (any case). */
export const EVENT_TYPES: ReadonlySet<string> = new Set(EVENT_TYPE_NAMES);

const DEFAULT_HANDLER = 'supervisor.dispatchers:default_handler';

export function eventListenerExtras(r: SectionReader): GroupConfig['eventListener'] {
  const bufferSize = r.get('buffer_size', 10, (v) => {
    const n = integer(v);
    if (n < 1) throw new ValueProblem('must be at least 1');
    return n;
  });
  if (r.get('redirect_stderr', false, boolean)) {
    r.problem('redirect_stderr', new ValueProblem('not allowed in an eventlistener: it would interfere with the eventlistener protocol'));
  }
  const events = [...new Set(listOfStrings(r.text('events') ?? '').map((e) => e.toUpperCase()))];
  if (events.length === 0) r.sectionProblem('no events= given: an eventlistener needs the event types it listens to');
  const unknown = events.filter((e) => !EVENT_TYPES.has(e));
  if (unknown.length > 0) {
    r.problem('events', new ValueProblem(`unknown event type ${unknown.join(', ')} (known: ${[...EVENT_TYPES].join(', ')})`));
  }
  const resultHandler = r.text('result_handler') ?? DEFAULT_HANDLER;
  const owner = r.check('result_handler', 'ours', () => pluginSpec(resultHandler, [DEFAULT_HANDLER]));
  if (owner === 'foreign') r.warn(`[${r.name}] result_handler=${resultHandler}: tssupervisor runs no Python code, so this handler is not used`);
  return { events, bufferSize, resultHandler };
}
