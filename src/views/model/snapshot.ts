/** The model view's snapshot type (what an export needs to draw the grid again). */
import { Section } from '../../data/section';
import { OpenHead, TokenRef } from '../../selection/state';
import { HeadSnapshot } from '../head/view';

/** What the model view shows at one moment: enough to draw it again elsewhere (an export). */
export interface ModelSnapshot {
  section: Section;
  /** Current layer (its label is bold, as on screen). */
  layer: number;
  /** The focused token (hovered, else pinned), valid for the section. */
  focus: TokenRef | null;
  /** Open head: real layer and head SLOT. */
  openHead: OpenHead | null;
  colors: readonly string[];
  /** Thumbnail side, CSS pixels (the view's current size; 64 when unknown). */
  thumbSize?: number;
  /** The open head as its panel shows it; drawn beside the grid. */
  panel?: HeadSnapshot | null;
  /** Active head slots whose mean and max end each row (the "aggregates" toggle on), else null. */
  aggregates?: readonly number[] | null;
}
