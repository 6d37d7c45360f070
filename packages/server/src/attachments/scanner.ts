// The virus-scan hook point (issue 22): every upload is handed to the configured scanner before it
// is accepted. None configured: the file is stored as "not scanned" (and says so wherever it is
// listed). A command (MSCT_SCAN_COMMAND, e.g. a clamdscan wrapper) is run with the path of the
// spooled file as its one argument; exit 0 accepts the file, any other exit refuses it with what the
// command printed. A scanner that cannot be run, or runs past its time, refuses the file too: an
// upload is never accepted as clean unless the scanner said so.
import { execFile } from 'node:child_process';

export type ScanVerdict = { ok: true } | { ok: false; reason: string };

export interface Scanner {
  /** Recorded with each file it passed. */
  readonly name: string;
  scan(path: string): Promise<ScanVerdict>;
}

const firstLine = (s: string) => s.trim().split('\n')[0]?.slice(0, 300) ?? '';

/** A scanner that runs `command <file>`: exit 0 is clean. */
export function commandScanner(command: string, timeoutMs = 60_000): Scanner {
  return {
    name: command,
    scan: (path) =>
      new Promise((resolve) => {
        execFile(command, [path], { timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
          if (!error) return resolve({ ok: true });
          const said = firstLine(String(stdout)) || firstLine(String(stderr));
          const code = (error as NodeJS.ErrnoException).code;
          if (typeof code === 'string')
            return resolve({ ok: false, reason: `the virus scanner could not be run (${code})` });
          if (error.killed) return resolve({ ok: false, reason: 'the virus scanner did not finish in time' });
          resolve({
            ok: false,
            reason: `the virus scanner refused it (exit ${error.code ?? error.signal})${said ? `: ${said}` : ''}`,
          });
        });
      }),
  };
}
