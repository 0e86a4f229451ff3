// The enrolment applies the pack's rules as the check does, and no rule the pack lacks: no age bound without
// a clause, a class only of the trainee's own track, age bounds where a pack declares them.
import { describe, expect, it } from "vitest";
import { errorText } from "../../core/errors.js";
import { translator } from "../../core/i18n.js";
import { checkCharacter } from "../../core/rules/residentId.js";
import { packVariant } from "../support/packs.js";
import { refusal } from "../support/refusal.js";
import { NOW } from "../storage/fixtures.js";
import { addClass, personalFor, setup, TODAY } from "./helpers.js";
import type { Services } from "../../storage/services.js";
import type { Facts } from "../../core/rules/eligibility.js";

/** A Jiangyin resident ID for someone born on `birth` (YYYYMMDD). */
const idBornOn = (birth: string) => `320281${birth}123${checkCharacter(`320281${birth}123`)}`;
/** This year's junior high school graduate with Jiangyin household registration (§2.1.1), seeking e-commerce work. */
const graduate: Facts = { ableToWork: true, healthy: true, sector: "seeking", keyGroups: ["fresh_graduate_not_enrolled"], hukouLocal: true };

function enrol(services: Services, classId: number, facts: Facts, idNumber: string) {
  const { personId } = services.identify("console", `p-${idNumber}`, NOW);
  services.saveFacts({ kind: "resident", personId }, personId, facts);
  return () => services.enrol({ kind: "resident", personId }, { personId, classId, personal: { ...personalFor(7), idNumber }, rightsConsentAt: NOW, privacyConsentAt: NOW }, TODAY, NOW);
}

describe("the enrolment and the pack's rules", () => {
  it("enrols a 15-year-old junior high school graduate: the notice sets no age bound", () => {
    const { db, services } = setup();
    const { classId } = addClass(db, { level: 5, track: "first_employment" });
    // Born 2008-06-30: 15 on 2023-07-01.
    expect(enrol(services, classId, graduate, idBornOn("20080630"))()).toMatchObject({ status: "confirmed", eligibility: { route: "key_group", track: "first_employment" } });
  });

  it("refuses a first-employment trainee an upgrading class, naming both tracks", () => {
    const { db, services } = setup();
    const { classId } = addClass(db, { level: 5, track: "upskilling" });
    const e = refusal(enrol(services, classId, graduate, idBornOn("20080630")));
    expect(e).toMatchObject({ code: "not_eligible", params: { reasons: expect.stringContaining("class_track_mismatch") } });
  });

  it("refuses an age outside bounds a pack declares, in the rule's own words", () => {
    const bounded = packVariant("jiangyin-2023-ecommerce", { age: { min: 16, clause: "§2.1-basic" } });
    const { db, services } = setup(bounded);
    const { classId } = addClass(db, { level: 5, track: "first_employment" });
    const e = refusal(enrol(services, classId, graduate, idBornOn("20080630")));
    expect(e).toMatchObject({ code: "age_out_of_bounds", params: { age: 15 } });
    expect(errorText(e, translator("zh-CN"))).toBe("按身份证号您今天 15 周岁：参加培训须年满16周岁，您为15周岁。");
    // Someone turning 16 that very day is in.
    expect(enrol(services, classId, graduate, idBornOn("20070701"))()).toMatchObject({ status: "confirmed" });
  });
});
