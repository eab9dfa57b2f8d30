// An in-memory EventFeed for testing the dashboard's routes without an engine: tests emit the
// messages the feed would carry and see who is subscribed.

import type { EventFeed, FeedMessage } from '../../src/api/event-feed.js';

export class FakeFeed implements EventFeed {
  readonly subscribers = new Set<(m: FeedMessage) => void>();
  subscribe(fn: (m: FeedMessage) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }
  emit(m: FeedMessage): void {
    for (const fn of this.subscribers) fn(m);
  }
}
