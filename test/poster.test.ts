// The class poster's words and drawing without the chat: what it says in English from the pack and the
// class, that a bot without a WeChat QR code or a Telegram username still gets a poster, with the command
// and no QR code, and that the WeChat account's code, when set, is the one on the paper.
import { describe, expect, it } from "vitest";
import { renderPoster, POSTER_SIZE } from "../bot/poster.js";
import type { StaffClass } from "../core/dialog/ports.js";
import { classPoster } from "../core/dialog/flows/staff/poster.js";
import { translator } from "../core/i18n.js";
import { jiangyin } from "./support/packs.js";
import { readPng } from "./support/png.js";

const cls: StaffClass = {
  id: 1,
  code: "K7Q2",
  name: "E-commerce level 4, class 1",
  occupation: "ecommerce_specialist",
  track: "upskilling",
  level: 4,
  opensOn: "2023-07-20",
  closesOn: "2023-08-31",
  location: null,
  capacity: 70,
  seats: 60,
  confirmed: 0,
  waitlisted: 0,
  filingStatus: "not_filed",
  filingDeadline: "2023-07-13",
};
const en = translator("en");

describe("the class poster", () => {
  it("says the class's facts, the free groups with their clause and the command, and has no QR code without a deep link", async () => {
    const poster = classPoster(jiangyin, cls, { school: "Jiangyin Polytechnic College", lang: "en", t: en, qr: undefined, command: "enrol K7Q2" });
    expect(poster.facts).toEqual([
      { label: en("staff.poster.label.dates"), value: en("staff.poster.value.dates", { opens: "2023-07-20", closes: "2023-08-31" }) },
      { label: en("staff.poster.label.deadline"), value: en("staff.poster.value.deadline", { date: "2023-07-19" }) },
      { label: en("staff.poster.label.seats"), value: "60" },
      { label: en("staff.poster.label.place"), value: en("dialog.locationBySchool") },
      { label: en("staff.poster.label.code"), value: "K7Q2" },
    ]);
    expect(poster.subtitle).toContain("E-commerce specialist");
    expect(poster.notes[0]).toContain("Demobilised soldier who chose self-employment");
    expect(poster.notes[0]).toContain("Notice, II (1) 1");
    // Who the class is for: its track's name from the pack, at the class's level.
    expect(poster.notes).toContain("Track: on-the-job upgrading for people already working in e-commerce here (levels: intermediate (level 4)).");
    // No QR code: the command is the way to enrol, not an alternative ("Or send …").
    expect(poster.typed).toBe("Send this in a chat with the enrolment bot: enrol K7Q2");
    expect(poster.link).toBeUndefined();

    expect(readPng(await renderPoster(poster))).toEqual({ ...POSTER_SIZE, qr: undefined });
  });

  it("carries the Telegram link as its QR code, which enrols by itself", () => {
    const link = "https://t.me/jiangyin_bot?start=class_K7Q2";
    const poster = classPoster(jiangyin, cls, { school: "Jiangyin Polytechnic College", lang: "en", t: en, qr: { content: link, via: "telegram" }, command: "enrol K7Q2" });
    expect([poster.link, poster.scan, poster.typed]).toEqual([link, en("staff.poster.scan"), en("staff.poster.typed", { command: "enrol K7Q2" })]);
  });

  it("carries the bot's WeChat QR code when it is set: scan to add the assistant, then send the command", async () => {
    const wechat = "https://u.wechat.com/EKvxBnQm2pL8Y7sZ";
    const poster = classPoster(jiangyin, cls, { school: "Jiangyin Polytechnic College", lang: "en", t: en, qr: { content: wechat, via: "wechat" }, command: "enrol K7Q2" });
    expect([poster.link, poster.scan, poster.typed]).toEqual([wechat, en("staff.poster.scanWechat"), en("staff.poster.typedWechat", { command: "enrol K7Q2" })]);
    expect(readPng(await renderPoster(poster))).toEqual({ ...POSTER_SIZE, qr: wechat });
  });
});
