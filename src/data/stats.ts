/**
 * Head statistics and scores that arrive after the widget was shown: the kernel computes them in the
 * background, says how far it is ("progress" messages) and sends them ("stats" message). They go into
 * the decoded section and into its wire form (so that saved widget state carries them).
 */
import { WireError } from '../wire/errors';
import { decodeWire } from '../wire/codec';
import { decodeHeadScores } from '../wire/head-scores';
import { decodeProgressMessage, decodeStatsMessage, messageType } from '../wire/messages';
import { decodeStats } from '../wire/summary';
import { DecodedSections } from './sections';

/**
 * Applies a stats or progress message to the section it names. Returns the section key, null when
 * the message is neither; throws a WireError when it is one but malformed.
 */
export function applyStats(d: DecodedSections, content: unknown, buffers: readonly (DataView | ArrayBuffer)[]): string | null {
  const type = messageType(content);
  if (type !== 'stats' && type !== 'progress') {
    return null;
  }
  const msg = content as Record<string, unknown>;
  if (!d.ok || !Array.isArray(d.raw)) {
    throw new WireError(`${type}: the sections could not be read`);
  }
  const i = d.sections.findIndex(sec => sec.key === msg.section);
  const sec = d.sections[i];
  if (!sec) {
    throw new WireError(`${type}: no section ${JSON.stringify(String(msg.section)).slice(0, 40)}`);
  }
  if (type === 'progress') {
    const p = decodeProgressMessage(msg);
    sec.scoresProgress = sec.scores ? null : { done: p.done, total: p.total };
    return sec.key;
  }
  const m = decodeStatsMessage(msg, buffers);
  let raw = d.raw[i] as Record<string, unknown>;
  if (m.stats) {
    const summary = sec.summary;
    if (!sec.lazy || !summary) {
      throw new WireError(`stats: section ${sec.key} is not lazy: it has no statistics to receive`);
    }
    if (m.statNames.length !== summary.statNames.length || !m.statNames.every((n, k) => n === summary.statNames[k])) {
      throw new WireError(`stats.stat_names must be ${JSON.stringify(summary.statNames)}`);
    }
    summary.stats = decodeStats(m.stats, 'stats.stats', sec.shape, summary.statNames);
    raw = { ...raw, summary: { ...(raw.summary as Record<string, unknown>), stats: m.stats } };
  }
  if (m.scores) {
    const values = decodeWire(m.scores.values, 'stats.scores.values');
    sec.scores = decodeHeadScores(m.scores, 'stats.scores', sec.shape, values);
    sec.scoresProgress = null;
    raw = { ...raw, scores: m.scores };
  }
  d.raw[i] = raw;
  return sec.key;
}
