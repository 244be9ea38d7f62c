// Tone → terminal style. Under NO_COLOR (https://no-color.org) no colour is emitted at all; bold
// and inverse stay, and every severity is also spelled out, so nothing is lost without colour.
import { createContext, useContext } from 'react';
import type { Tone } from '../model/line.js';

export interface ToneStyle { color?: string; bold?: boolean; dimColor?: boolean }
export interface Theme { color: boolean; tone: (t: Tone | undefined) => ToneStyle }

const COLORS: Record<Tone, ToneStyle> = {
  critical: { color: 'magentaBright', bold: true },
  high: { color: 'red' },
  medium: { color: 'yellow' },
  low: { color: 'cyan' },
  info: { color: 'gray' },
  accent: { color: 'cyan' },
  muted: { dimColor: true },
  good: { color: 'green' },
  bad: { color: 'red' },
  warn: { color: 'yellow' },
  added: { color: 'green' },
  removed: { color: 'red' },
  heading: { color: 'blueBright', bold: true },
};

const PLAIN: Partial<Record<Tone, ToneStyle>> = { critical: { bold: true }, heading: { bold: true } };

export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  // The spec: "when present and not an empty string" — regardless of its value.
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

export function makeTheme(color: boolean): Theme {
  return { color, tone: (t) => (t ? (color ? COLORS[t] : PLAIN[t] ?? {}) : {}) };
}

export const ThemeContext = createContext<Theme>(makeTheme(true));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
