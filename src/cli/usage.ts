/** What every admin command is given, and the error that means it was used wrongly (exit 2). */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export class UsageError extends Error {}
