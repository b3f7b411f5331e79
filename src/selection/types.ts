/** The shape of the shared selection state (what views read, what the Python mirror sends). */
import { PairFilter } from './filters';

export interface TokenRef {
  side: 'query' | 'key';
  index: number;
}

export interface OpenHead {
  layer: number;
  head: number;
}

export interface SelectionState {
  section: string;
  layer: number; // real layer index
  heads: readonly number[]; // active, sorted, never empty
  nHeads: number;
  hovered: TokenRef | null;
  pinned: TokenRef | null;
  filter: PairFilter;
  openHead: OpenHead | null;
  /** Generation steps of the section (its generated tokens; 0 when no model generated it). */
  nSteps: number;
  /** null: the whole sequence; t in [0, nSteps): the sequence up to and including generated token t. */
  step: number | null;
}

export type SelectionListener = (
  s: Readonly<SelectionState>,
  changed: ReadonlySet<keyof SelectionState>
) => void;

/** Token counts of a section, to decide whether a pin survives a section switch. */
export interface TokenCounts {
  query: number;
  key: number;
  /** Generation steps of the new section (0 or absent: none, the step resets to the whole sequence). */
  steps?: number;
}
