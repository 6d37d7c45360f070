// Writes a value as JSON to a file, byte for byte what `JSON.stringify(value, null, 2)` followed by a
// newline gives, without ever holding that whole text: `msct analyze` at 20 000 patients writes an
// 18.6 MB results.json whose one string (~37 MB in memory, UTF-16) and its `${…}\n` copy were the
// process's peak memory (issue 16, measured in docs/validation.md "perf2"). Our own writer because
// Node has no streaming JSON.stringify; the property test (json-file.test.ts) holds it to the built-in.
import { closeSync, openSync, writeSync } from 'node:fs';

const CHUNK = 1 << 16;

/** Calls `emit` with pieces of JSON.stringify(value, null, 2), in order, each piece small. */
export function emitPrettyJson(value: unknown, emit: (piece: string) => void): void {
  const v = prepared(value, '');
  if (skipped(v)) emit('null');
  else write(v, '', emit);
}

function prepared(value: unknown, key: string): unknown {
  // JSON.stringify's own order: toJSON first (a Date becomes its ISO string).
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  )
    return (value as { toJSON(key: string): unknown }).toJSON.call(value, key);
  return value;
}

/** Whether JSON.stringify leaves the member out of an object (or writes null in an array). */
const skipped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

function write(value: unknown, indent: string, emit: (piece: string) => void): void {
  if (value === null || typeof value !== 'object') {
    emit(JSON.stringify(value) ?? 'null');
    return;
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    emit(JSON.stringify(value));
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      emit('[]');
      return;
    }
    emit('[');
    for (let i = 0; i < value.length; i++) {
      emit(i === 0 ? `\n${inner}` : `,\n${inner}`);
      const v = prepared(value[i], String(i));
      if (skipped(v)) emit('null');
      else write(v, inner, emit);
    }
    emit(`\n${indent}]`);
    return;
  }
  let first = true;
  for (const key of Object.keys(value)) {
    const v = prepared((value as Record<string, unknown>)[key], key);
    if (skipped(v)) continue;
    emit(first ? `{\n${inner}` : `,\n${inner}`);
    first = false;
    emit(`${JSON.stringify(key)}: `);
    write(v, inner, emit);
  }
  emit(first ? '{}' : `\n${indent}}`);
}

/** Writes `value` as pretty JSON and a newline to `file`, in pieces of about 64 kB. */
export function writePrettyJsonFile(file: string, value: unknown): void {
  const fd = openSync(file, 'w');
  try {
    let buffer = '';
    emitPrettyJson(value, (piece) => {
      buffer += piece;
      if (buffer.length >= CHUNK) {
        writeSync(fd, buffer);
        buffer = '';
      }
    });
    writeSync(fd, `${buffer}\n`);
  } finally {
    closeSync(fd);
  }
}
