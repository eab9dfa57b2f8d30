#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node
// NODE_EXTRA_CA_CERTS is dropped: Node reads and parses that bundle at every start (~40 ms for a
// 220 KB system bundle on the test machine, more than the rest of a `pid` command), and the ctl
// speaks only HTTP over a unix socket or plain TCP, as supervisorctl does: no TLS to trust.
// dist/ctl.bundle.js is dist/main/ctl.js and its imports in one file (scripts/bundle-ctl.mjs).
import '../dist/ctl.bundle.js';
