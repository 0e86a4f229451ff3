import { readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { createVault, DecryptionError, loadDataKey } from "../../storage/crypto.js";
import { tempDir } from "./fixtures.js";

const HEX_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

describe("createVault", () => {
  const vault = createVault(Buffer.from(HEX_KEY, "hex"));

  it("round-trips text, with a fresh IV each time", () => {
    const a = vault.encrypt("张三丰 320281199001011234");
    const b = vault.encrypt("张三丰 320281199001011234");
    expect(a).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
    expect(a).not.toBe(b);
    expect(vault.decrypt(a)).toBe("张三丰 320281199001011234");
    expect(vault.decrypt(vault.encrypt(""))).toBe("");
  });

  it("rejects a tampered ciphertext without showing it", () => {
    const stored = vault.encrypt("13812345678");
    const raw = Buffer.from(stored.slice(3), "base64");
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    const tampered = "v1:" + raw.toString("base64");
    expect(() => vault.decrypt(tampered)).toThrow(DecryptionError);
    expect(() => vault.decrypt(tampered)).toThrow(/wrong DATA_KEY or key file, or the stored value was altered/);
    expect(() => vault.decrypt("v1:AAAA")).toThrow(/truncated/);
    expect(() => vault.decrypt("13812345678")).toThrow(/not in the v1 format/);
    const error = (() => {
      try {
        return vault.decrypt(tampered);
      } catch (caught) {
        return caught;
      }
    })();
    expect(String(error)).not.toContain(tampered.slice(3, 20));
  });

  it("rejects a value encrypted under another key", () => {
    const other = createVault(Buffer.alloc(32, 7));
    expect(() => other.decrypt(vault.encrypt("张三"))).toThrow(/wrong DATA_KEY/);
  });

  it("hashes ID numbers after normalising, under a key of its own", () => {
    expect(vault.hashId(" 32028119900101123x ")).toBe(vault.hashId("32028119900101123X"));
    expect(vault.hashId("32028119900101123X")).toMatch(/^[0-9a-f]{64}$/);
    expect(vault.hashId("320281199001011234")).not.toBe(vault.hashId("32028119900101123X"));
    expect(createVault(Buffer.alloc(32, 7)).hashId("320281199001011234")).not.toBe(vault.hashId("320281199001011234"));
  });

  it("refuses a key that is not 32 bytes", () => {
    expect(() => createVault(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});

describe("loadDataKey", () => {
  it("accepts DATA_KEY as 64 hex characters or base64 of 32 bytes", async () => {
    const keyFile = join(tempDir(), "never.key");
    const key = Buffer.from(HEX_KEY, "hex");
    expect((await loadDataKey({ dataKey: HEX_KEY, keyFile })).key).toEqual(key);
    expect((await loadDataKey({ dataKey: HEX_KEY.toUpperCase(), keyFile })).key).toEqual(key);
    expect((await loadDataKey({ dataKey: ` ${key.toString("base64")}\n`, keyFile })).key).toEqual(key);
    expect(await loadDataKey({ dataKey: HEX_KEY, keyFile })).toMatchObject({ source: "DATA_KEY", created: false });
  });

  it.each([
    ["empty", ""],
    ["too short hex", HEX_KEY.slice(2)],
    ["not hex", "zz" + HEX_KEY.slice(2)],
    ["base64 of 16 bytes", Buffer.alloc(16).toString("base64")],
    ["base64 of 33 bytes", Buffer.alloc(33).toString("base64")],
  ])("rejects a DATA_KEY that is %s, naming DATA_KEY and the formats", async (_case, dataKey) => {
    await expect(loadDataKey({ dataKey, keyFile: join(tempDir(), "k") })).rejects.toThrow(
      /DATA_KEY .*64 hexadecimal characters, or base64 of 32 bytes/,
    );
  });

  it("creates the key file with mode 0600, in a folder of mode 0700, and reuses it on the second call", async () => {
    const keyFile = join(tempDir(), "secrets", "data.key");
    const first = await loadDataKey({ keyFile });
    expect(first).toMatchObject({ source: "file", path: keyFile, created: true });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(keyFile)).mode & 0o777).toBe(0o700);
    expect(readFileSync(keyFile, "utf8").trim()).toBe(first.key.toString("hex"));

    const second = await loadDataKey({ keyFile });
    expect(second).toMatchObject({ source: "file", path: keyFile, created: false });
    expect(second.key).toEqual(first.key);
  });

  it("rejects a key file that does not hold a key", async () => {
    const keyFile = join(tempDir(), "data.key");
    await loadDataKey({ keyFile });
    writeFileSync(keyFile, "not a key");
    await expect(loadDataKey({ keyFile })).rejects.toThrow(`The key file ${keyFile} does not hold a valid key`);
  });
});
