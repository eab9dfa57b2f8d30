// The facts about the machine that config validation needs (users, folders, environment), behind
// one interface so parsing itself stays pure and tests can describe any machine.

export interface UserEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
}

export interface HostFacts {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly hostname: string;
  readonly cwd: string;
  readonly tmpdir: string;
  readonly home: string;
  isDirectory(path: string): boolean;
  /** By name, or by numeric id when the text is all digits. */
  lookupUser(nameOrId: string): UserEntry | undefined;
  lookupGroup(nameOrId: string): GroupEntry | undefined;
}
