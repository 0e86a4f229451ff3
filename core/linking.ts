// Linking chats: one person may talk to the bot from Telegram and from WeChat. "/link" in one chat
// gives a short one-time code; sending it from the other chat puts both chats on one person, so
// enrolments, /me and reminders follow the person. Two people who both hold data (enrolments, personal
// data, certificates, staff roles) are never merged automatically: that is refused and audited.
import { z } from "zod";
import { DomainError } from "./errors.js";
import type { Lang } from "./pack.js";
import { actorLabel } from "./roles.js";
import type { AuditLog, Channel, PeopleStore, Transactions } from "./stores.js";

/** How long a link code works: long enough to switch apps, short enough that a guess rarely hits. */
export const LINK_CODE_TTL_MS = 10 * 60_000;
/** Wrong codes one chat may send per hour before it must wait: 5 guesses of 10^6 codes. */
export const LINK_MAX_FAILURES_PER_HOUR = 5;
const HOUR_MS = 3600_000;

/** A code as stored: who asked for it (person and chat) and until when it works. */
export interface LinkCodeRecord {
  id: number;
  personId: number;
  identityId: number;
  expiresAt: Date;
}

/** What a person holds that must not be merged silently into someone else. */
export interface PersonFootprint {
  forgotten: boolean;
  /** Name, ID number or phone on file. */
  personal: boolean;
  enrolments: number;
  certificates: number;
  /** Staff rows, revoked ones included (they are referenced by plans and invites). */
  staffRoles: number;
}

/** The link codes and the moves a link makes; storage/linkStore.ts implements it. */
export interface LinkStore {
  /** Deletes the person's earlier codes and every expired code. @example links.purgeCodes(3, now) */
  purgeCodes(personId: number, now: Date): void;
  /** @example links.insertCode({ codeHash, personId: 3, identityId: 5, expiresAt }, now) */
  insertCode(row: { codeHash: string; personId: number; identityId: number; expiresAt: Date }, now: Date): void;
  /** The unexpired code with this hash. @example links.activeCode(hash, now)?.personId // 3 */
  activeCode(codeHash: string, now: Date): LinkCodeRecord | undefined;
  /** Deletes the code; false when another redemption took it first. @example links.useCode(9) // true */
  useCode(codeId: number): boolean;
  /** @example links.identity(5) // { identityId: 5, personId: 3, channel: "wechat" } */
  identity(identityId: number): { identityId: number; personId: number; channel: Channel } | undefined;
  /** @example links.footprint(3).enrolments // 1 */
  footprint(personId: number): PersonFootprint;
  /** Moves every chat of one person to another; answers the moved identity ids. @example links.moveIdentities(4, 3) // [6] */
  moveIdentities(fromPersonId: number, toPersonId: number): number[];
  /** Deletes a person left without chats and data, with their codes and undelivered messages. @example links.dropPerson(4) */
  dropPerson(personId: number): void;
  /** Failed redemptions from this chat after `since` (read from the audit log). @example links.recentFailures(6, hourAgo) // 2 */
  recentFailures(identityId: number, since: Date): number;
}

/** Makes and hashes link codes; randomness and keys live in storage. */
export interface LinkCodeMaker {
  /** @example maker.generate() // "482913" */
  generate(): string;
  /** A keyed hash, so a copied database does not reveal live codes. @example maker.hash("482913") */
  hash(code: string): string;
}

/** What a redemption came to; the chat explains each outcome in the person's language. */
export type LinkOutcome =
  | { ok: true; personId: number; lang: Lang; movedIdentities: number[] }
  | { ok: false; reason: "format" | "invalid" | "too_many_attempts" | "already_linked" | "both_have_data" };

/** A code as people type it: 6 digits, full-width digits and spaces or dashes allowed. */
const codeSchema = z
  .string()
  .transform((s) => s.normalize("NFKC").replace(/[\s-]/g, ""))
  .pipe(z.string().regex(/^\d{6}$/));

/**
 * Whether a person holds anything a link must not merge silently.
 * @example hasData({ forgotten: false, personal: false, enrolments: 1, certificates: 0, staffRoles: 0 }) // true
 */
export function hasData(f: PersonFootprint): boolean {
  return f.personal || f.enrolments > 0 || f.certificates > 0 || f.staffRoles > 0;
}

/**
 * The linking service.
 * @example
 * const linking = createLinkingService({ tx, links, people, codes, audit })
 * const { code } = linking.issue(3, 5, now)      // in the Telegram chat of person 3
 * linking.redeem(6, code, now)                    // in the WeChat chat (identity 6): { ok: true, personId: 3, … }
 */
export function createLinkingService(deps: {
  tx: Transactions;
  links: LinkStore;
  people: Pick<PeopleStore, "get" | "setFacts">;
  codes: LinkCodeMaker;
  audit: AuditLog;
}) {
  const { tx, links, people, codes, audit } = deps;

  /**
   * A fresh code for the person chatting in `identityId`; earlier codes of the person stop working.
   * @example issue(3, 5, now) // { code: "482913", expiresAt: 2023-07-03T08:10:00.000Z }
   */
  function issue(personId: number, identityId: number, now: Date): { code: string; expiresAt: Date } {
    return tx.run(() => {
      const me = links.identity(identityId);
      if (!me || me.personId !== personId)
        throw new DomainError("not_found", { what: "chat", id: identityId }, `identity ${identityId} is not a chat of person ${personId}`);
      links.purgeCodes(personId, now);
      // Six digits repeat: draw again while the same code is live for someone else.
      let code = codes.generate();
      for (let i = 0; i < 5 && links.activeCode(codes.hash(code), now); i++) code = codes.generate();
      if (links.activeCode(codes.hash(code), now)) throw new DomainError("conflict", {}, "no free link code after 6 draws; try again");
      const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
      links.insertCode({ codeHash: codes.hash(code), personId, identityId, expiresAt }, now);
      audit.record({
        actor: actorLabel({ kind: "resident", personId }),
        action: "link.code_issued",
        entity: "chat_identity",
        entityId: String(identityId),
        detail: { expiresAt: expiresAt.toISOString() },
        at: now,
      });
      return { code, expiresAt };
    });
  }

  /**
   * Redeems a code from the chat `identityId`: the person without data joins the person with data
   * (the code's person when neither has any); both with data is refused. Every attempt is audited.
   * @example redeem(6, "482913", now) // { ok: true, personId: 3, lang: "zh-CN", movedIdentities: [6] }
   */
  function redeem(identityId: number, rawCode: string, now: Date): LinkOutcome {
    const parsed = codeSchema.safeParse(rawCode);
    if (!parsed.success) return { ok: false, reason: "format" };
    return tx.run((): LinkOutcome => {
      const me = links.identity(identityId);
      if (!me) throw new DomainError("not_found", { what: "chat", id: identityId }, "identify the chat before linking it");
      const actor = actorLabel({ kind: "resident", personId: me.personId });
      const record = (action: string, detail: Record<string, unknown>) =>
        audit.record({ actor, action, entity: "chat_identity", entityId: String(identityId), detail, at: now });

      // Refusals are returned, not thrown, so their audit rows commit (they count towards the limit).
      if (links.recentFailures(identityId, new Date(now.getTime() - HOUR_MS)) >= LINK_MAX_FAILURES_PER_HOUR) {
        record("link.refused", { reason: "too_many_attempts" });
        return { ok: false, reason: "too_many_attempts" };
      }
      const code = links.activeCode(codes.hash(parsed.data), now);
      const issuer = code && people.get(code.personId);
      if (!code || !issuer || issuer.forgottenAt) {
        record("link.failed", { reason: "invalid" });
        return { ok: false, reason: "invalid" };
      }
      if (code.personId === me.personId) {
        record("link.refused", { reason: "already_linked", codeId: code.id });
        return { ok: false, reason: "already_linked" };
      }
      const issuerHas = hasData(links.footprint(code.personId));
      const mineHas = hasData(links.footprint(me.personId));
      if (!links.useCode(code.id)) {
        record("link.failed", { reason: "invalid", race: true });
        return { ok: false, reason: "invalid" };
      }
      if (issuerHas && mineHas) {
        record("link.refused", { reason: "both_have_data", codeId: code.id, issuerPersonId: code.personId });
        return { ok: false, reason: "both_have_data" };
      }
      // The side with data stays; with none on either side, the code's person stays.
      const keep = mineHas ? me.personId : code.personId;
      const drop = keep === me.personId ? code.personId : me.personId;
      const kept = people.get(keep)!;
      const dropped = people.get(drop);
      // Eligibility answers are not "data" for the rule, but are not thrown away when the kept side has none.
      if (dropped && Object.keys(kept.facts).length === 0 && Object.keys(dropped.facts).length > 0) people.setFacts(keep, dropped.facts, now);
      const movedIdentities = links.moveIdentities(drop, keep);
      links.dropPerson(drop);
      record("link.redeemed", { codeId: code.id, issuerIdentityId: code.identityId, keptPersonId: keep, droppedPersonId: drop, movedIdentities });
      return { ok: true, personId: keep, lang: kept.lang, movedIdentities };
    });
  }

  return { issue, redeem };
}

/** The linking service's methods. */
export type LinkingService = ReturnType<typeof createLinkingService>;
