// Reads back a PNG the bot sent: its size, and the text of the QR code on it (jsQR over the decoded pixels).
import jsQR from "jsqr";
import { PNG } from "pngjs";

/**
 * A PNG's width and height, and what its QR code says (undefined when it has none); throws if it is no PNG.
 * @example readPng(reply.document!.bytes) // { width: 1240, height: 1754, qr: "https://t.me/bot?start=class_K7Q2" }
 */
export function readPng(bytes: Uint8Array): { width: number; height: number; qr: string | undefined } {
  const png = PNG.sync.read(Buffer.from(bytes));
  const qr = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  return { width: png.width, height: png.height, qr: qr?.data };
}
