#!/usr/bin/env node
import '../dist/main/ctl.js';
