// The Official Account's message security (接入指南, 消息加解密): every request WeChat sends is signed with the token
// the bureau chose, and in safe mode its body is AES-256-CBC encrypted with the EncodingAESKey (the bot answers
// "success" in the clear, which WeChat takes in either mode, so it only decrypts):
// - signature = sha1 of token, timestamp and nonce, sorted as strings and joined;
// - msg_signature = sha1 of token, timestamp, nonce and the ciphertext, sorted and joined;
// - AESKey = base64 decode of EncodingAESKey + "=" (43 characters → 32 bytes); IV = the key's first 16 bytes;
// - plaintext = 16 random bytes + the message's length (4 bytes, network order) + the message + the AppID,
//   padded PKCS#7 to a multiple of 32 bytes (not AES's 16), then encrypted without further padding.
import { createDecipheriv, createHash, timingSafeEqual } from "node:crypto";

const BLOCK = 32;

/**
 * The signature WeChat puts on every request: sha1 over the sorted parts.
 * @example signatureOf(["AAAAA", "1714037059", "486452656"]) // "899cf89e…" (40 hex characters)
 */
export function signatureOf(parts: string[]): string {
  return createHash("sha1").update([...parts].sort().join("")).digest("hex");
}

/**
 * Whether a signature given in a request is the one expected, compared in constant time.
 * @example sameSignature(query.signature, signatureOf([token, query.timestamp, query.nonce]))
 */
export function sameSignature(given: string | undefined, expected: string): boolean {
  if (given === undefined || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/**
 * The 32-byte AES key of an EncodingAESKey; throws when it is not 43 base64 characters.
 * @example aesKeyOf("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").length // 32
 */
export function aesKeyOf(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey)) throw new Error("the EncodingAESKey must be 43 letters and digits, as the Official Account's server settings show it");
  const key = Buffer.from(`${encodingAesKey}=`, "base64");
  if (key.length !== 32) throw new Error("the EncodingAESKey does not decode to 32 bytes; copy it again from the server settings");
  return key;
}

/** A ciphertext that does not decrypt to a message: wrong key, altered, or not from WeChat. */
export class DecryptError extends Error {
  override name = "DecryptError";
}

/**
 * Decrypts a message WeChat encrypted: the XML and the AppID it was encrypted for (which the caller checks).
 * @example decryptMessage(encrypted, key) // { message: "<xml>…</xml>", appId: "wx1234567890abcdef" }
 */
export function decryptMessage(encrypted: string, key: Buffer): { message: string; appId: string } {
  const data = Buffer.from(encrypted, "base64");
  if (data.length === 0 || data.length % BLOCK !== 0) throw new DecryptError("the ciphertext is not whole 32-byte blocks");
  let plain: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-cbc", key, key.subarray(0, 16)).setAutoPadding(false);
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw new DecryptError("the ciphertext does not decrypt with this EncodingAESKey");
  }
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > BLOCK || plain.subarray(plain.length - pad).some((b) => b !== pad)) throw new DecryptError("the padding is not PKCS#7 over 32 bytes");
  const content = plain.subarray(16, plain.length - pad);
  if (content.length < 4) throw new DecryptError("the plaintext is too short");
  const length = content.readUInt32BE(0);
  if (4 + length > content.length) throw new DecryptError("the message length does not fit the plaintext");
  return { message: content.subarray(4, 4 + length).toString("utf8"), appId: content.subarray(4 + length).toString("utf8") };
}
