// Encryption of personal data (name, ID number, phone) at rest: AES-256-GCM.
// One 32-byte data key; HKDF derives separate sub-keys so the ID hash never
// shares a key with the cipher.
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, randomFillSync } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// IVs are cut from a pool of CSPRNG bytes: one randomBytes call per IV cost as much as the cipher itself.
const IV_POOL_BYTES = IV_BYTES * 256;
const PREFIX = "v1:";
const FORMATS = "64 hexadecimal characters, or base64 of 32 bytes (44 characters ending in '=')";

/** Where the data key came from; `created` means a new key file was just written. Example: `if (k.created) log(\`the key is at ${k.path}; losing it loses the personal data\`)`. */
export type DataKey =
  | { key: Buffer; source: "DATA_KEY"; created: false }
  | { key: Buffer; source: "file"; path: string; created: boolean };

/** Encrypts, decrypts and hashes personal data with one data key. Example: `vault.decrypt(vault.encrypt("张三")) === "张三"`. */
export interface Vault {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
  hashId(idNumber: string): string;
  /** Keyed hash naming a forgotten person (of their ID hash, or of a chat) without being any hash the data used. */
  hashForgotten(value: string): string;
}

/**
 * The data key cannot be had: DATA_KEY or the key file is malformed, or the key file cannot be read or
 * created. The message names the setting or the file and what to do.
 * @example catch (e) { if (e instanceof DataKeyError) process.exit(2) }
 */
export class DataKeyError extends Error {
  override name = "DataKeyError";
}

/** Raised when a stored value cannot be decrypted; says why without showing the value. Example: `catch (e) { if (e instanceof DecryptionError) … }`. */
export class DecryptionError extends Error {
  override name = "DecryptionError";
}

// Accepts the two text forms an operator can paste; anything else is refused, never truncated.
function parseKey(text: string): Buffer | undefined {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  if (/^[A-Za-z0-9+/]{43}=$/.test(value)) return Buffer.from(value, "base64");
  return undefined;
}

/**
 * Finds the data key: `dataKey` (the DATA_KEY setting) when given, else the key file,
 * which is created (mode 0600) on first run.
 * Example: `const k = await loadDataKey({ dataKey: process.env.DATA_KEY, keyFile: "./data/data.key" })`.
 */
export async function loadDataKey(options: { dataKey?: string; keyFile: string }): Promise<DataKey> {
  if (options.dataKey !== undefined) {
    const key = parseKey(options.dataKey);
    if (!key) throw new DataKeyError(`DATA_KEY is not a valid key: expected ${FORMATS}.`);
    return { key, source: "DATA_KEY", created: false };
  }
  const path = resolve(options.keyFile);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") throw new DataKeyError(`The key file ${path} cannot be read (${code ?? (error as Error).message}): it must be a file readable by the user the bot runs as (mode 0600, owned by that user); or set DATA_KEY.`);
    const key = randomBytes(KEY_BYTES);
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      // "wx": never overwrite a key another process wrote meanwhile; that would orphan its data.
      await writeFile(path, key.toString("hex") + "\n", { mode: 0o600, flag: "wx" });
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      throw new DataKeyError(`The key file ${path} cannot be created (${why}): its folder must be writable by the user the bot runs as; or set DATA_KEY_FILE to an existing key, or DATA_KEY.`);
    }
    return { key, source: "file", path, created: true };
  }
  const key = parseKey(text);
  if (!key) throw new DataKeyError(`The key file ${path} does not hold a valid key: expected ${FORMATS}.`);
  return { key, source: "file", path, created: false };
}

/** Builds the vault for a 32-byte data key. Example: `const vault = createVault((await loadDataKey(opts)).key)`. */
export function createVault(key: Buffer): Vault {
  if (key.length !== KEY_BYTES) throw new Error(`The data key must be ${KEY_BYTES} bytes, got ${key.length}.`);
  const derive = (info: string) => Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), info, KEY_BYTES));
  // A KeyObject, not a Buffer: each cipher then skips importing the key again (~3 µs of ~13 per state).
  const encKey = createSecretKey(derive("jiangyin-training-bot/v1/personal-data-encryption"));
  const macKey = derive("jiangyin-training-bot/v1/id-number-hash");
  const forgottenKey = derive("jiangyin-training-bot/v1/forgotten-person");
  const ivPool = Buffer.alloc(IV_POOL_BYTES);
  let ivOffset = IV_POOL_BYTES;
  // A fresh random IV; valid only until the next call, so it is copied into the output at once.
  const nextIv = () => {
    if (ivOffset === IV_POOL_BYTES) {
      randomFillSync(ivPool);
      ivOffset = 0;
    }
    ivOffset += IV_BYTES;
    return ivPool.subarray(ivOffset - IV_BYTES, ivOffset);
  };

  return {
    encrypt(plain) {
      const iv = nextIv();
      const cipher = createCipheriv("aes-256-gcm", encKey, iv);
      const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString("base64");
    },
    decrypt(stored) {
      if (!stored.startsWith(PREFIX)) {
        throw new DecryptionError("Cannot decrypt personal data: the stored value is not in the v1 format.");
      }
      const raw = Buffer.from(stored.slice(PREFIX.length), "base64");
      if (raw.length < IV_BYTES + TAG_BYTES) {
        throw new DecryptionError("Cannot decrypt personal data: the stored value is truncated.");
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", encKey, raw.subarray(0, IV_BYTES));
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
        return plain.toString("utf8");
      } catch {
        throw new DecryptionError(
          "Cannot decrypt personal data: wrong DATA_KEY or key file, or the stored value was altered.",
        );
      }
    },
    hashId(idNumber) {
      // The same ID typed with a lower-case check digit or stray spaces must match.
      const normalised = idNumber.trim().toUpperCase();
      return createHmac("sha256", macKey).update(normalised, "utf8").digest("hex");
    },
    hashForgotten(value) {
      return createHmac("sha256", forgottenKey).update(value, "utf8").digest("hex");
    },
  };
}
