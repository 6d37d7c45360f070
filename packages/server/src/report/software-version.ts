// The msct version printed in the report header: the root package.json's version.
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function softwareVersion(): string {
  if (cached) return cached;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    cached = pkg.version ?? 'unknown';
  } catch {
    cached = 'unknown';
  }
  return cached;
}
