// A ZIP archive (PKWARE APPNOTE 6.3.x) of the files of a directory, stored (method 0, no
// compression) and streamed: each entry's CRC-32 and sizes follow its data in a data descriptor
// (general purpose flag bit 3), so no file is held in memory. Names are UTF-8 (flag bit 11). For the
// SDTM export job, whose domains, Define-XML and Dataset-JSON are several files.
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { crc32 } from 'node:zlib';

const FLAGS = 0x0808; // bit 3: data descriptor; bit 11: UTF-8 names

function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

async function put(out: Writable, b: Buffer): Promise<void> {
  if (out.write(b)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      out.off('drain', done);
      out.off('error', done);
      if (err) reject(err);
      else resolve();
    };
    out.on('drain', done);
    out.on('error', done);
  });
}

/** Writes `dir`'s files (not subdirectories), sorted by name, into the ZIP file `target` (mode 0600). */
export async function zipDirectory(dir: string, target: string): Promise<void> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
  const out = createWriteStream(target, { mode: 0o600 });
  const { time, date } = dosTime(new Date());
  const central: Buffer[] = [];
  let offset = 0;
  for (const name of names) {
    const nameBytes = Buffer.from(name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(FLAGS, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    // CRC and sizes are 0 here: they follow in the data descriptor.
    local.writeUInt16LE(nameBytes.length, 26);
    await put(out, Buffer.concat([local, nameBytes]));
    let crc = 0;
    let size = 0;
    for await (const chunk of createReadStream(join(dir, name))) {
      const b = chunk as Buffer;
      crc = crc32(b, crc);
      size += b.length;
      await put(out, b);
    }
    if (size >= 0xffffffff || offset >= 0xffffffff)
      throw new Error(`${name}: the archive would need ZIP64 (a file of 4 GB or more)`);
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc >>> 0, 4);
    descriptor.writeUInt32LE(size, 8);
    descriptor.writeUInt32LE(size, 12);
    await put(out, descriptor);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // version made by
    entry.writeUInt16LE(20, 6); // version needed
    entry.writeUInt16LE(FLAGS, 8);
    entry.writeUInt16LE(0, 10);
    entry.writeUInt16LE(time, 12);
    entry.writeUInt16LE(date, 14);
    entry.writeUInt32LE(crc >>> 0, 16);
    entry.writeUInt32LE(size, 20);
    entry.writeUInt32LE(size, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, nameBytes);
    offset += local.length + nameBytes.length + size + descriptor.length;
  }
  const dirBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(dirBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  await put(out, Buffer.concat([dirBytes, end]));
  await new Promise<void>((resolve, reject) => {
    out.on('error', reject);
    out.end(resolve);
  });
}
