import { describe, expect, it } from "vitest";
import { maskIdNumber, maskName, maskPhone } from "../../core/mask.js";

describe("masking", () => {
  it.each([
    ["320281199001011234", "3202**********1234"],
    ["32028119900101123X", "3202**********123X"],
    [" 320281900101123 ", "3202*******1123"], // 15-digit first-generation ID
    ["12345678", "********"],
    ["", ""],
  ])("maskIdNumber(%j) = %j", (input, masked) => {
    expect(maskIdNumber(input)).toBe(masked);
  });

  it.each([
    ["13812345678", "138****5678"],
    ["051086123456", "051*****3456"],
    ["1234567", "*******"],
  ])("maskPhone(%j) = %j", (input, masked) => {
    expect(maskPhone(input)).toBe(masked);
  });

  it.each([
    ["张三丰", "张**"],
    ["李四", "李*"],
    ["欧阳娜娜", "欧***"],
    ["𠀋一", "𠀋*"], // a character outside the BMP stays whole
    ["Li Lei", "L*****"],
    ["王", "*"],
    ["", ""],
  ])("maskName(%j) = %j", (input, masked) => {
    expect(maskName(input)).toBe(masked);
  });
});
