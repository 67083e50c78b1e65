import { execFile } from 'node:child_process';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs a program without a shell; fails with its stderr in the message when it exits non-zero. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { env: options.env, cwd: options.cwd, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        if (error) {
          const output = `${stderr}`.trim() || `${stdout}`.trim();
          const command = [file, ...args].join(' ');
          reject(new Error(`${command} failed: ${output || error.message}`, { cause: error }));
          return;
        }
        resolve(`${stdout}`);
      },
    );
  });
}

/**
 * Runs a shell command line as another OS user, as database servers refuse to run as root.
 * `su` without `-` keeps the caller's environment (apart from HOME and SHELL).
 */
export function runAs(user: string, commandLine: string, options: RunOptions = {}): Promise<string> {
  return run('su', [user, '-s', '/bin/sh', '-c', commandLine], options);
}

/** Quotes one word for /bin/sh. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
