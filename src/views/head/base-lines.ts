/**
 * The head view's unfocused lines, kept between paints: the same batch (the same object) while
 * the section, layer, heads, token ranges and aggregate stay, so that the base canvas holding
 * them is shown again when a focus leaves instead of collecting and rasterising them anew.
 */
import { collectLinks, LinkBatch, LinkQuery } from '../../analysis/links';

export class BaseLines {
  private kept: { key: string; batch: LinkBatch } | null = null;

  /** The lines of `q` (which has no focus); `owner` names what else they depend on. */
  get(owner: readonly (string | number)[], q: LinkQuery): LinkBatch {
    const key = [...owner, q.heads.join(','), q.query.start, q.query.end, q.key.start, q.key.end, q.minAlpha].join('|');
    if (this.kept?.key !== key) {
      this.kept = { key, batch: collectLinks(q) };
    }
    return this.kept.batch;
  }

  /** New data, or a rebuild (section, filter, step, settings): collect again. */
  clear(): void {
    this.kept = null;
  }
}
