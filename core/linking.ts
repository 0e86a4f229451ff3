// Linking chats: one person may talk to the bot from Telegram and from WeChat. "/link" in one chat gives
// a one-time code; typing it in the other chat asks to put both chats on one person, so that enrolments,
// /me and reminders follow the person. Nothing is joined until the chat that owns the account confirms:
// a code guessed or overheard from an empty chat must not take over someone's enrolments or staff role.
// Two people who both hold data (enrolments, personal data, certificates, staff roles) are never merged
// automatically: that is refused and audited. Wrong codes are limited per chat and over all chats.
import { z } from "zod";
import { attemptsExceeded, LINK_ATTEMPTS } from "./attempts.js";
import { DomainError } from "./errors.js";
import type { Lang } from "./rules/pack.js";
import { actorLabel } from "./roles.js";
import type { AuditLog, Channel, PeopleStore, Transactions } from "./stores.js";

/** Digits of a link code: 10^8 codes, so that the guesses the limits allow rarely hit (README, Linking). @example "48291307".length === LINK_CODE_DIGITS */
export const LINK_CODE_DIGITS = 8;
/** How long a link code works: long enough to switch apps, short enough that a guess rarely hits. @example new Date(now.getTime() + LINK_CODE_TTL_MS) */
export const LINK_CODE_TTL_MS = 10 * 60_000;
/** How long a typed code waits for the account owner's yes. @example new Date(now.getTime() + LINK_CONFIRM_TTL_MS) */
export const LINK_CONFIRM_TTL_MS = 10 * 60_000;

/** A code as stored: who asked for it (person and chat) and until when it works. */
export interface LinkCodeRecord {
  id: number;
  personId: number;
  identityId: number;
  expiresAt: Date;
}

/** A code that was typed in another chat: the request to link, waiting for a yes until `expiresAt`. */
export interface LinkRequestRecord extends LinkCodeRecord {
  issuerChannel: Channel;
  requesterIdentityId: number;
  requesterPersonId: number;
  requesterChannel: Channel;
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
  /** The unexpired code with this hash that nobody typed yet. @example links.activeCode(hash, now)?.personId // 3 */
  activeCode(codeHash: string, now: Date): LinkCodeRecord | undefined;
  /** Marks the code typed in `requesterIdentityId`, waiting until `expiresAt`; false when another chat was first. @example links.claimCode(9, 6, now, later) // true */
  claimCode(codeId: number, requesterIdentityId: number, now: Date, expiresAt: Date): boolean;
  /** A typed code, whatever its age. @example links.request(9)?.requesterIdentityId // 6 */
  request(codeId: number): LinkRequestRecord | undefined;
  /** Typed codes still waiting in which the person is the code's or the typing chat's. @example links.requestsOf(3, now) */
  requestsOf(personId: number, now: Date): LinkRequestRecord[];
  /** Deletes the code; false when another redemption took it first. @example links.useCode(9) // true */
  useCode(codeId: number): boolean;
  /** @example links.identity(5) // { identityId: 5, personId: 3, channel: "wechat" } */
  identity(identityId: number): { identityId: number; personId: number; channel: Channel } | undefined;
  /** @example links.footprint(3).enrolments // 1 */
  footprint(personId: number): PersonFootprint;
  /**
   * Moves every chat of one person to another and clears their conversations (they were the former person's);
   * answers the moved identity ids. @example links.moveIdentities(4, 3) // [6]
   */
  moveIdentities(fromPersonId: number, toPersonId: number): number[];
  /** Deletes a person left without chats and data, with their codes and undelivered messages. @example links.dropPerson(4) */
  dropPerson(personId: number): void;
}

/** Makes and hashes link codes; randomness and keys live in storage. */
export interface LinkCodeMaker {
  /** `LINK_CODE_DIGITS` random digits. @example maker.generate() // "48291307" */
  generate(): string;
  /** A keyed hash, so a copied database does not reveal live codes. @example maker.hash("48291307") */
  hash(code: string): string;
}

/**
 * A link waiting for the yes of the account's owner: the chat that would join it (`joining`) and the chat
 * that is asked (`owner`), by channel, so that each side can be told where to look.
 * @example { id: 9, joining: "wechat", owner: "telegram", expiresAt }
 */
export interface LinkRequest {
  id: number;
  joining: Channel;
  owner: Channel;
  expiresAt: Date;
}

/** What typing a code came to; the chat explains each refusal in the person's language. */
export type LinkOutcome =
  | { ok: true; request: LinkRequest; confirmHere: boolean }
  | { ok: false; reason: "format" | "invalid" | "too_many_attempts" | "already_linked" | "both_have_data" };

/** What the owner's answer came to. */
export type LinkConfirmation =
  | { ok: true; personId: number; lang: Lang; movedIdentities: number[] }
  | { ok: false; reason: "declined" | "expired" | "both_have_data" };

/** A code as people type it: full-width digits and spaces or dashes allowed. */
const codeSchema = z
  .string()
  .transform((s) => s.normalize("NFKC").replace(/[\s-]/g, ""))
  .pipe(z.string().regex(new RegExp(`^\\d{${LINK_CODE_DIGITS}}$`)));

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
 * const { code } = linking.issue(3, 5, now)      // in the Telegram chat of person 3, who has enrolments
 * linking.redeem(6, code, now)                    // in a new WeChat chat: { ok: true, request: { id: 9, joining: "wechat", owner: "telegram", … }, confirmHere: false }
 * linking.confirm(5, 9, true, now)                // back in Telegram, "yes": { ok: true, personId: 3, … }
 */
export function createLinkingService(deps: {
  tx: Transactions;
  links: LinkStore;
  people: Pick<PeopleStore, "get" | "setFacts">;
  codes: LinkCodeMaker;
  audit: AuditLog;
}) {
  const { tx, links, people, codes, audit } = deps;

  /** The side with data stays; with none on either side, the code's person. "both" when both hold data. */
  function keeper(issuerPersonId: number, requesterPersonId: number): { keep: number; drop: number } | "both" {
    const issuerHas = hasData(links.footprint(issuerPersonId));
    const requesterHas = hasData(links.footprint(requesterPersonId));
    if (issuerHas && requesterHas) return "both";
    return requesterHas ? { keep: requesterPersonId, drop: issuerPersonId } : { keep: issuerPersonId, drop: requesterPersonId };
  }

  /** The request, the owner being the side that stays. */
  const describe = (r: LinkRequestRecord, keep: number): LinkRequest => {
    const ownerTyped = keep === r.requesterPersonId;
    return { id: r.id, joining: ownerTyped ? r.issuerChannel : r.requesterChannel, owner: ownerTyped ? r.requesterChannel : r.issuerChannel, expiresAt: r.expiresAt };
  };

  const recorder = (personId: number, identityId: number, now: Date) => (action: string, detail: Record<string, unknown>) =>
    audit.record({ actor: actorLabel({ kind: "resident", personId }), action, entity: "chat_identity", entityId: String(identityId), detail, at: now });

  /**
   * A fresh code for the person chatting in `identityId`; earlier codes of the person stop working.
   * @example issue(3, 5, now) // { code: "48291307", expiresAt: 2023-07-03T08:10:00.000Z }
   */
  function issue(personId: number, identityId: number, now: Date): { code: string; expiresAt: Date } {
    return tx.run(() => {
      const me = links.identity(identityId);
      if (!me || me.personId !== personId)
        throw new DomainError("not_found", { what: "chat", id: identityId }, `identity ${identityId} is not a chat of person ${personId}`);
      links.purgeCodes(personId, now);
      // Codes repeat: draw again while the same code is live for someone else.
      let code = codes.generate();
      for (let i = 0; i < 5 && links.activeCode(codes.hash(code), now); i++) code = codes.generate();
      if (links.activeCode(codes.hash(code), now)) throw new DomainError("conflict", {}, "no free link code after 6 draws; try again");
      const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
      links.insertCode({ codeHash: codes.hash(code), personId, identityId, expiresAt }, now);
      recorder(personId, identityId, now)("link.code_issued", { expiresAt: expiresAt.toISOString() });
      return { code, expiresAt };
    });
  }

  /**
   * A code typed in the chat `identityId`: a request to link, waiting for the yes of the chat that keeps its
   * account (the side with data; the code's person when neither has any). Every failure is audited and
   * counts towards the limits, which, once reached, refuse even the right code.
   * @example redeem(6, "48291307", now) // { ok: true, request: { id: 9, joining: "wechat", owner: "telegram", expiresAt }, confirmHere: false }
   */
  function redeem(identityId: number, rawCode: string, now: Date): LinkOutcome {
    return tx.run((): LinkOutcome => {
      const me = links.identity(identityId);
      if (!me) throw new DomainError("not_found", { what: "chat", id: identityId }, "identify the chat before linking it");
      const record = recorder(me.personId, identityId, now);
      // Refusals are returned, not thrown, so their audit rows commit (failures count towards the limits).
      const exceeded = attemptsExceeded(audit, LINK_ATTEMPTS, String(identityId), now);
      if (exceeded) {
        record("link.refused", { reason: "too_many_attempts", limit: exceeded });
        return { ok: false, reason: "too_many_attempts" };
      }
      // A code of the wrong length cannot hit: audited, not counted.
      const parsed = codeSchema.safeParse(rawCode);
      if (!parsed.success) {
        record("link.refused", { reason: "format" });
        return { ok: false, reason: "format" };
      }
      const code = links.activeCode(codes.hash(parsed.data), now);
      const issuer = code && people.get(code.personId);
      if (!code || !issuer || issuer.forgottenAt) {
        record(LINK_ATTEMPTS.action, { reason: "invalid" });
        return { ok: false, reason: "invalid" };
      }
      if (code.personId === me.personId) {
        record("link.refused", { reason: "already_linked", codeId: code.id });
        return { ok: false, reason: "already_linked" };
      }
      const sides = keeper(code.personId, me.personId);
      if (sides === "both") {
        links.useCode(code.id);
        record("link.refused", { reason: "both_have_data", codeId: code.id, issuerPersonId: code.personId });
        return { ok: false, reason: "both_have_data" };
      }
      const expiresAt = new Date(now.getTime() + LINK_CONFIRM_TTL_MS);
      if (!links.claimCode(code.id, identityId, now, expiresAt)) {
        record(LINK_ATTEMPTS.action, { reason: "invalid", race: true });
        return { ok: false, reason: "invalid" };
      }
      record("link.requested", { codeId: code.id, issuerIdentityId: code.identityId, keptPersonId: sides.keep });
      return { ok: true, request: describe(links.request(code.id)!, sides.keep), confirmHere: sides.keep === me.personId };
    });
  }

  /**
   * The request this chat is to answer, if one waits: a code of its person typed elsewhere, or one it typed
   * itself for an account it owns.
   * @example pending(5, now) // { id: 9, joining: "wechat", owner: "telegram", expiresAt } | undefined
   */
  function pending(identityId: number, now: Date): LinkRequest | undefined {
    const me = links.identity(identityId);
    if (!me) return undefined;
    for (const r of links.requestsOf(me.personId, now)) {
      const sides = keeper(r.personId, r.requesterPersonId);
      if (sides !== "both" && sides.keep === me.personId) return describe(r, sides.keep);
    }
    return undefined;
  }

  /**
   * The owner's answer to request `requestId`, from the chat `identityId`: yes joins the other chat's person
   * into this one (what either holds is checked again), no drops the request. Audited either way.
   * @example confirm(5, 9, true, now) // { ok: true, personId: 3, lang: "zh-CN", movedIdentities: [6] }
   */
  function confirm(identityId: number, requestId: number, yes: boolean, now: Date): LinkConfirmation {
    return tx.run((): LinkConfirmation => {
      const me = links.identity(identityId);
      if (!me) throw new DomainError("not_found", { what: "chat", id: identityId }, "identify the chat before linking it");
      const record = recorder(me.personId, identityId, now);
      const r = links.request(requestId);
      if (!r || r.expiresAt.getTime() <= now.getTime()) {
        if (r) links.useCode(r.id);
        record("link.refused", { reason: "expired", codeId: requestId });
        return { ok: false, reason: "expired" };
      }
      const sides = keeper(r.personId, r.requesterPersonId);
      if (sides === "both") {
        links.useCode(r.id);
        record("link.refused", { reason: "both_have_data", codeId: r.id });
        return { ok: false, reason: "both_have_data" };
      }
      // Only the account that stays may say yes; what either side holds may have changed since the code was typed.
      if (sides.keep !== me.personId) {
        record("link.refused", { reason: "not_owner", codeId: r.id });
        return { ok: false, reason: "expired" };
      }
      if (!links.useCode(r.id)) return { ok: false, reason: "expired" };
      if (!yes) {
        record("link.declined", { codeId: r.id, requesterIdentityId: r.requesterIdentityId });
        return { ok: false, reason: "declined" };
      }
      const kept = people.get(sides.keep)!;
      const dropped = people.get(sides.drop);
      // Eligibility answers are not "data" for the rule, but are not thrown away when the kept side has none.
      if (dropped && Object.keys(kept.facts).length === 0 && Object.keys(dropped.facts).length > 0) people.setFacts(sides.keep, dropped.facts, now);
      const movedIdentities = links.moveIdentities(sides.drop, sides.keep);
      links.dropPerson(sides.drop);
      record("link.redeemed", {
        codeId: r.id,
        issuerIdentityId: r.identityId,
        requesterIdentityId: r.requesterIdentityId,
        keptPersonId: sides.keep,
        droppedPersonId: sides.drop,
        movedIdentities,
      });
      return { ok: true, personId: sides.keep, lang: kept.lang, movedIdentities };
    });
  }

  return { issue, redeem, pending, confirm };
}

/** The linking service's methods. */
export type LinkingService = ReturnType<typeof createLinkingService>;
