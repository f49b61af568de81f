/**
 * How the review paints text: severity colours (none when colour is off: NO_COLOR or --no-color;
 * then selection and emphasis use inverse and bold only), and the one way config-derived text
 * reaches the screen: shown(), which neutralises control characters and escape sequences
 * (src/report/sanitize.ts), so a comment in a ruleset cannot move the cursor, retitle the terminal
 * or hide lines.
 */
import { createContext, useContext } from "react";
import type { Severity } from "../../model/finding.js";
import { sanitize } from "../../report/sanitize.js";
import { nameTable } from "../../model/name-table.js";

export interface Theme {
  color: boolean;
}

export const ThemeContext = createContext<Theme>({ color: true });

export function useTheme(): Theme {
  return useContext(ThemeContext);
}

const SEVERITY_COLORS: Record<Severity, string> = nameTable({
  critical: "magenta",
  high: "red",
  medium: "yellow",
  low: "cyan",
  info: "gray",
});

/** Colour props for a severity label, or none without colour. */
export function severityColor(theme: Theme, s: Severity): { color?: string } {
  return theme.color ? { color: SEVERITY_COLORS[s] } : {};
}

/** A colour prop only when colour is on. */
export function tint(theme: Theme, color: string): { color?: string } {
  return theme.color ? { color } : {};
}

/** Text from a scanned file, a file name or a user's input, made safe for the terminal (one line, tabs as spaces). */
export function shown(text: string): string {
  return sanitize(text).replace(/\t/g, "  ");
}

/** `text` (already shown()) cut into lines of at most `width` columns, at spaces where possible. */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(10, width);
  const out: string[] = [];
  let rest = text;
  while (rest.length > w) {
    let cut = rest.lastIndexOf(" ", w);
    if (cut <= 0) cut = w;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^ /, "");
  }
  out.push(rest);
  return out;
}
