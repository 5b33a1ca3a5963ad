// SMS texts in Bangla and English. Bangla texts use Bangla digits except in the code itself, which people copy.
import { toBanglaDigits } from "../../../lib/digits";
import type { Lang } from "../../../lib/i18n";

export function otpText(lang: Lang, code: string, ttlSeconds: number): string {
  const minutes = Math.round(ttlSeconds / 60);
  return lang === "bn"
    ? `কর্ম মেলা: আপনার লগইন কোড ${code}। ${toBanglaDigits(String(minutes))} মিনিটের মধ্যে ব্যবহার করুন। কোডটি কাউকে জানাবেন না।`
    : `Kormo Mela: your login code is ${code}. It expires in ${minutes} minutes. Never share it with anyone.`;
}
