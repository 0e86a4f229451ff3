// An .xlsx is a zip. Its central directory says, for every entry, how large it is once inflated: those
// sizes are checked against the caps before a single byte is inflated, and yauzl checks while inflating that
// no entry gives more than it declared (a bomb that lies about its sizes fails at the declared size). A
// running count of what was inflated is kept as well, so the cap holds whatever the directory says.
import yauzl from "yauzl";
import { refused, type SheetLimits } from "./limits.js";

/** The entries of a checked zip, by name, and a way to read one within the caps. */
export interface CheckedZip {
  has(name: string): boolean;
  /** Inflates one entry chunk by chunk, within what is left of `maxUnpackedBytes`; `part` caps this entry further. */
  read(name: string, each: (chunk: Buffer) => void, part?: number): Promise<void>;
  close(): void;
}

const MB = 1024 * 1024;

/**
 * Opens a zip held in memory and checks its directory: the entry count, each entry's method and its declared
 * inflated size, and their sum. A file that is no zip (truncated, renamed .xls, encrypted) is `not_spreadsheet`.
 * @example const zip = await openCheckedZip(bytes, RESULT_SHEET_LIMITS); await zip.read("xl/workbook.xml", (c) => xml.write(c))
 */
export async function openCheckedZip(bytes: Buffer, limits: SheetLimits): Promise<CheckedZip> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  } catch (e) {
    throw refused("not_spreadsheet", {}, `not a zip: ${(e as Error).message}`);
  }
  const entries = new Map<string, yauzl.Entry>();
  let declared = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on("entry", (entry: yauzl.Entry) => {
        try {
          if (entries.size >= limits.maxEntries) throw refused("too_large_unpacked", { limitMb: limits.maxUnpackedBytes / MB }, `more than ${limits.maxEntries} entries`);
          if (entry.isEncrypted() || (entry.compressionMethod !== 0 && entry.compressionMethod !== 8))
            throw refused("not_spreadsheet", {}, `entry ${entry.fileName} is encrypted or compressed with method ${entry.compressionMethod}`);
          declared += entry.uncompressedSize;
          if (declared > limits.maxUnpackedBytes)
            throw refused("too_large_unpacked", { limitMb: limits.maxUnpackedBytes / MB }, `the zip declares at least ${Math.round(declared / MB)} MB once inflated`);
          entries.set(entry.fileName, entry);
          zip.readEntry();
        } catch (e) {
          reject(e);
        }
      });
      zip.once("end", resolve);
      zip.once("error", (e: Error) => reject(refused("not_spreadsheet", {}, `a broken zip: ${e.message}`)));
      zip.readEntry();
    });
  } catch (e) {
    zip.close();
    throw e;
  }

  let left = limits.maxUnpackedBytes;
  return {
    has: (name) => entries.has(name),
    async read(name, each, part = Infinity) {
      const entry = entries.get(name);
      if (!entry) throw refused("not_spreadsheet", {}, `no ${name} in the workbook`);
      if (entry.uncompressedSize > part) throw refused("too_large_unpacked", { limitMb: limits.maxUnpackedBytes / MB }, `${name} declares ${entry.uncompressedSize} bytes`);
      let stream;
      try {
        stream = await zip.openReadStreamPromise(entry);
      } catch (e) {
        throw refused("not_spreadsheet", {}, `${name} cannot be read: ${(e as Error).message}`);
      }
      let taken = 0;
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          taken += chunk.length;
          left -= chunk.length;
          if (left < 0 || taken > part) throw refused("too_large_unpacked", { limitMb: limits.maxUnpackedBytes / MB }, `${name} inflates past the cap`);
          each(chunk);
        }
      } catch (e) {
        stream.destroy();
        if (e instanceof Error && e.name === "DomainError") throw e;
        // yauzl's size check: the entry inflated past the size it declared (a bomb that lies).
        const lied = /too many bytes/.test((e as Error).message);
        throw refused(lied ? "too_large_unpacked" : "not_spreadsheet", lied ? { limitMb: limits.maxUnpackedBytes / MB } : {}, `${name}: ${(e as Error).message}`);
      }
    },
    close: () => zip.close(),
  };
}
