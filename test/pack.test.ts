// The pack's schema refuses a pack it cannot trust, naming the place; the calendar refuses a year it does not know.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { parsePack, PackError } from "../core/rules/pack.js";
import { CalendarYearUnknown, workCalendar } from "../core/rules/calendar.js";
import { filingDeadline } from "../core/rules/checks.js";
import { defaultPackPath } from "../storage/packFile.js";
import { jiangyin } from "./support/packs.js";

const text = readFileSync(defaultPackPath, "utf8");
function broken(edit: (raw: Record<string, any>) => void): string[] {
  const raw = parse(text);
  edit(raw);
  try {
    parsePack(stringify(raw), "edited");
  } catch (e) {
    expect(e).toBeInstanceOf(PackError);
    return (e as PackError).problems;
  }
  throw new Error("the edited pack was accepted");
}

describe("policy pack", () => {
  it("holds the notice's numbers, each with its clause", () => {
    expect(jiangyin.window).toEqual({ from: "2023-06-15", to: "2023-09-30", clause: "§2.6" });
    expect(jiangyin.schools.map((s) => s.name.zh)).toEqual(["江阴职业技术学院", "江阴市高级技工学校", "中船澄西高级技工学校"]);
    expect(jiangyin.keyGroups).toHaveLength(7);
    expect(jiangyin.classCap).toMatchObject({ value: 60, clause: "§2.5.2" });
    expect(jiangyin.filingLeadWorkingDays).toMatchObject({ value: 5, clause: "§2.5.2" });
    expect(jiangyin.publicNotice).toMatchObject({ days: 5, unit: "calendar", clause: "§2.5.4" });
    expect(jiangyin.employeeRoute).toMatchObject({ contractMonthsMin: 12, insuredMonthsMin: 6, clause: "§2.1.2" });
  });
  it("refuses a clause that is not defined, naming where it is cited", () => {
    expect(broken((p) => (p.classCap.clause = "§9.9"))).toContain("classCap.clause: clause §9.9 is not listed under clauses");
  });
  it("refuses a wrong type and an impossible date", () => {
    const problems = broken((p) => {
      p.classCap.value = "sixty";
      p.window.to = "2023-09-31";
    });
    expect(problems.some((x) => x.startsWith("classCap.value"))).toBe(true);
    expect(problems.some((x) => x.startsWith("window.to"))).toBe(true);
  });
  it("refuses an unknown field and a reading that does not exist", () => {
    expect(broken((p) => (p.surprise = 1)).join()).toMatch(/surprise/);
    expect(broken((p) => (p.publicNotice.reading = "nope"))).toContain("publicNotice.reading: reading nope is not listed under readings");
  });
  it("reports YAML syntax errors as a pack error", () => {
    expect(() => parsePack("id: [", "x")).toThrow(PackError);
  });
});

describe("working-day calendar", () => {
  it("knows the 2023 holidays and adjusted workdays", () => {
    const cal = workCalendar(jiangyin);
    expect(["2023-06-22", "2023-06-23", "2023-06-24"].map(cal.isWorkday)).toEqual([false, false, false]);
    expect(cal.isWorkday("2023-06-25")).toBe(true);
    expect(["2023-09-29", "2023-10-02", "2023-10-06"].map(cal.isWorkday)).toEqual([false, false, false]);
    expect(["2023-10-07", "2023-10-08"].map(cal.isWorkday)).toEqual([true, true]);
  });
  it("refuses a year the package lacks unless the pack supplies it", () => {
    expect(() => filingDeadline("2031-03-10", jiangyin)).toThrow(CalendarYearUnknown);
    const withYear = { ...jiangyin, calendar: { "2031": { holidays: ["2031-03-07"], workdays: [] } } };
    expect(filingDeadline("2031-03-10", withYear).deadline).toBe("2031-02-28");
  });
});
