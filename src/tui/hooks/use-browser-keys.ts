// useInput → reducer. A burst of keys is reduced in one go (see reduceKeys) and committed once.
import { useInput } from 'ink';
import type { MutableRefObject } from 'react';
import { reducer } from '../state/reducer.js';
import type { State } from '../state/state.js';
import { reduceKeys } from './key-map.js';

export function useBrowserKeys(ref: MutableRefObject<State>, commit: (s: State) => void, isActive = true): void {
  useInput((input, key) => {
    const next = reduceKeys(ref.current, input, key, reducer);
    if (next !== ref.current) commit(next);
  }, { isActive });
}
