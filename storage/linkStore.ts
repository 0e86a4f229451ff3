// Storage of /link: the one-time codes (keyed hashes only) and the moves a link makes. No decisions
// here: core/linking.ts decides who is kept; these read and write rows inside its transaction.
import { createHmac, hkdfSync, randomInt } from "node:crypto";
import { and, count, eq, gt, inArray, isNull, lte, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { LINK_CODE_DIGITS, type LinkCodeMaker, type LinkStore } from "../core/linking.js";
import type { Db } from "./db.js";
import { certificates, chatIdentities, dialogStates, enrolments, linkCodes, outbox, people, staff } from "./schema.js";

/**
 * The link-code store over one database.
 * @example const links = createLinkStore(db); links.activeCode(hash, now)?.personId
 */
export function createLinkStore(db: Db): LinkStore {
  const countOf = (rows: { n: number }[]) => rows[0]?.n ?? 0;
  const issuer = alias(chatIdentities, "issuer");
  const requester = alias(chatIdentities, "requester");
  /** Typed codes with both chats: the one that asked for the code and the one that typed it. */
  const requests = () =>
    db
      .select({
        id: linkCodes.id,
        personId: linkCodes.personId,
        identityId: linkCodes.identityId,
        expiresAt: linkCodes.expiresAt,
        issuerChannel: issuer.channel,
        requesterIdentityId: requester.id,
        requesterPersonId: requester.personId,
        requesterChannel: requester.channel,
      })
      .from(linkCodes)
      .innerJoin(issuer, eq(issuer.id, linkCodes.identityId))
      .innerJoin(requester, eq(requester.id, linkCodes.requesterIdentityId))
      .$dynamic();
  return {
    purgeCodes(personId, now) {
      db.delete(linkCodes)
        .where(or(eq(linkCodes.personId, personId), lte(linkCodes.expiresAt, now)))
        .run();
    },
    insertCode(row, now) {
      db.insert(linkCodes).values({ ...row, createdAt: now }).run();
    },
    activeCode(codeHash, now) {
      return db
        .select({ id: linkCodes.id, personId: linkCodes.personId, identityId: linkCodes.identityId, expiresAt: linkCodes.expiresAt })
        .from(linkCodes)
        .where(and(eq(linkCodes.codeHash, codeHash), gt(linkCodes.expiresAt, now), isNull(linkCodes.requesterIdentityId)))
        .orderBy(sql`${linkCodes.id} desc`)
        .get();
    },
    claimCode(codeId, requesterIdentityId, now, expiresAt) {
      return (
        db
          .update(linkCodes)
          .set({ requesterIdentityId, requestedAt: now, expiresAt })
          .where(and(eq(linkCodes.id, codeId), isNull(linkCodes.requesterIdentityId)))
          .run().changes === 1
      );
    },
    request(codeId) {
      return requests().where(eq(linkCodes.id, codeId)).get();
    },
    requestsOf(personId, now) {
      return requests()
        .where(and(gt(linkCodes.expiresAt, now), or(eq(linkCodes.personId, personId), eq(requester.personId, personId))))
        .orderBy(sql`${linkCodes.id} desc`)
        .all();
    },
    useCode(codeId) {
      return db.delete(linkCodes).where(eq(linkCodes.id, codeId)).run().changes === 1;
    },
    identity(identityId) {
      return db
        .select({ identityId: chatIdentities.id, personId: chatIdentities.personId, channel: chatIdentities.channel })
        .from(chatIdentities)
        .where(eq(chatIdentities.id, identityId))
        .get();
    },
    footprint(personId) {
      const p = db
        .select({ forgottenAt: people.forgottenAt, personalEnc: people.personalEnc, idHash: people.idHash })
        .from(people)
        .where(eq(people.id, personId))
        .get();
      return {
        forgotten: !p || p.forgottenAt !== null,
        personal: Boolean(p && (p.personalEnc ?? p.idHash)),
        enrolments: countOf(db.select({ n: count() }).from(enrolments).where(eq(enrolments.personId, personId)).all()),
        certificates: countOf(db.select({ n: count() }).from(certificates).where(eq(certificates.personId, personId)).all()),
        staffRoles: countOf(db.select({ n: count() }).from(staff).where(eq(staff.personId, personId)).all()),
      };
    },
    moveIdentities(fromPersonId, toPersonId) {
      const moved = db
        .update(chatIdentities)
        .set({ personId: toPersonId })
        .where(eq(chatIdentities.personId, fromPersonId))
        .returning({ id: chatIdentities.id })
        .all()
        .map((r) => r.id);
      // A moved chat's conversation was the former person's (a draft, a withdrawal picked): it starts afresh.
      if (moved.length) db.delete(dialogStates).where(inArray(dialogStates.identityId, moved)).run();
      return moved;
    },
    dropPerson(personId) {
      db.delete(linkCodes).where(eq(linkCodes.personId, personId)).run();
      // A person without enrolments has only welcome-type messages at most; they would go nowhere now.
      db.delete(outbox).where(eq(outbox.personId, personId)).run();
      // Any other reference (a plan, an invite) makes this fail and the link roll back, never dangle.
      db.delete(people).where(eq(people.id, personId)).run();
    },
  };
}

/**
 * Codes of `LINK_CODE_DIGITS` digits (typed on a phone, read aloud) hashed with a key derived from the data
 * key, so a copied database alone does not tell which codes are live.
 * @example const maker = createLinkCodeMaker(dataKey.key); maker.hash(maker.generate())
 */
export function createLinkCodeMaker(dataKey: Buffer): LinkCodeMaker {
  const key = Buffer.from(hkdfSync("sha256", dataKey, Buffer.alloc(0), "jiangyin-training-bot/v1/link-code-hash", 32));
  return {
    generate: () => String(randomInt(0, 10 ** LINK_CODE_DIGITS)).padStart(LINK_CODE_DIGITS, "0"),
    hash: (code) => createHmac("sha256", key).update(code.normalize("NFKC").replace(/\D/g, ""), "utf8").digest("hex"),
  };
}
