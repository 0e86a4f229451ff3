// A class's QR code on the Official Account (生成带参数的二维码): scanning it follows the account (or, for a follower,
// opens the chat) and WeChat tells the bot the scene, class_<CODE>, which opens that class's enrolment.
// Permanent codes (QR_LIMIT_STR_SCENE), not temporary ones: a temporary code lasts at most 30 days, and a printed
// poster hangs until its class opens, often longer; an account may make 100,000 permanent codes, far more than the
// programme's classes, and each class's code is made once and kept (oa_qr_codes), however many posters are drawn.
import type { OfficialAccountStore } from "../../storage/officialAccount.js";
import type { OaApi } from "./api.js";
import type { OaLog } from "./webhook.js";

/**
 * What the class's QR code holds, made on first use; undefined when WeChat cannot make one now (the poster then
 * carries another code, and the next poster tries again).
 * @example await classQrCode({ store, api, log }, "K7Q2", Date.now()) // "http://weixin.qq.com/q/02abc…"
 */
export async function classQrCode(deps: { store: Pick<OfficialAccountStore, "qrOf" | "keepQr">; api: Pick<OaApi, "createPermanentQr">; log: OaLog }, classCode: string, now: number): Promise<string | undefined> {
  const known = deps.store.qrOf(classCode);
  if (known) return known;
  try {
    const url = await deps.api.createPermanentQr(`class_${classCode}`);
    deps.store.keepQr(classCode, url, now);
    return url;
  } catch (e) {
    deps.log("error", "official account: no QR code for the class's poster", { classCode, error: (e as Error).message });
    return undefined;
  }
}
