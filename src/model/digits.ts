/**
 * Whole numbers with thousands separators ("1,468"), as messages write them. By hand, not with
 * toLocaleString("en-US"): its first call loads the ICU locale data, about 25 ms of a pre-commit
 * run that reports one long message.
 */
export function groupedDigits(n: number | bigint): string {
  const s = String(n);
  const sign = s.startsWith("-") ? "-" : "";
  return sign + s.slice(sign.length).replace(/\B(?=(\d{3})+$)/g, ",");
}
