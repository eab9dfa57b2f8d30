// The one error the config reader expects: a value an operator wrote wrong. Its own module so the
// low-level readers (shlex, expand) can throw it without importing the converters.

export class ValueProblem extends Error {
  override readonly name = 'ValueProblem';
}
