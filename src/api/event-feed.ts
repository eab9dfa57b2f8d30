// What the dashboard streams (GET /api/v1/events): the engine's process and group changes as plain
// messages, so the HTTP surface can follow the daemon without knowing the engine. The daemon's
// composition root adapts its event flow to this (supervisor/event-feed.ts). Types only.

/** A process changed state (supervisord's PROCESS_STATE_* events). Times are epoch ms. */
export interface ProcessStateMessage {
  readonly type: 'state';
  readonly group: string;
  readonly name: string;
  /** Statenames as getProcessInfo's `statename` ('RUNNING'). */
  readonly from: string;
  readonly to: string;
  /** 0 when it has none (STOPPED, EXITED ...). */
  readonly pid: number;
  readonly at: number;
  /** For an EXITED: whether the exit code was an expected one; false otherwise. */
  readonly expected: boolean;
}

/** A group was added (`update`, `add`) or removed: the page refetches the whole list. */
export interface GroupMessage {
  readonly type: 'group-added' | 'group-removed';
  readonly group: string;
  readonly at: number;
}

export type FeedMessage = ProcessStateMessage | GroupMessage;

export interface EventFeed {
  /** `fn` is told every message from now on until the returned function is called. */
  subscribe(fn: (message: FeedMessage) => void): () => void;
}
