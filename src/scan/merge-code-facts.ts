// Code found outside the APK (an odexed app's oat/<arch>/<name>.vdex or .odex) is the app's code:
// its facts are merged into the app's report as if its dex files sat inside the APK, with the
// container named in every location ("oat/arm64/Foo.vdex!/classes.dex").
import type { CodeFacts } from '../analysis/code-facts.js';
import type { AppReport, CodeLocation, Endpoint } from '../report/model.js';
import type { AppContext } from '../rules/evaluate-app.js';
import type { CallGraph } from '../analysis/call-graph.js';

export function mergeCodeFacts(app: AppReport, context: AppContext, facts: Omit<CodeFacts, 'calls'>, calls: CallGraph): void {
  app.dex.push(...facts.dex);
  mergeEndpoints(app.endpoints, facts.endpoints);
  mergeByKey(app.apis, facts.apis, (a) => a.api);
  context.classNames = [...new Set([...context.classNames, ...facts.classNames])].sort();
  context.calls = context.calls.merge(calls);
}

/** Endpoints found in several places (dex, resources, native code) become one entry per value. */
export function mergeEndpoints(into: Endpoint[], from: Endpoint[]): void {
  mergeByKey(into, from, (e) => e.value);
}

function mergeByKey<T extends { locations: CodeLocation[] }>(into: T[], from: T[], key: (t: T) => string): void {
  const index = new Map(into.map((t) => [key(t), t]));
  for (const item of from) {
    const existing = index.get(key(item));
    if (!existing) {
      into.push(item);
      index.set(key(item), item);
      continue;
    }
    const seen = new Set(existing.locations.map(locKey));
    for (const l of item.locations) if (!seen.has(locKey(l))) existing.locations.push(l);
  }
  into.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const locKey = (l: CodeLocation) => `${l.dex}\0${l.class}\0${l.method}`;
