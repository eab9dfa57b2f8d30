// Composition root of tssupervisorctl (built in the control issue).
process.stderr.write('tssupervisorctl: not built yet\n');
process.exit(1);
