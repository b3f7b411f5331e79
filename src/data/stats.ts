/**
 * Head statistics that arrive after the widget was shown: the kernel computes them in the
 * background and sends a stats message. They go into the decoded section and into its wire form
 * (so that saved widget state carries them).
 */
import { WireError } from '../wire/errors';
import { decodeStatsMessage, messageType } from '../wire/messages';
import { decodeStats } from '../wire/summary';
import { DecodedSections } from './sections';

/**
 * Applies a stats message to the section it names. Returns the section key, null when the
 * message is not a stats message; throws a WireError when it is one but malformed.
 */
export function applyStats(d: DecodedSections, content: unknown, buffers: readonly (DataView | ArrayBuffer)[]): string | null {
  if (messageType(content) !== 'stats') {
    return null;
  }
  const msg = content as Record<string, unknown>;
  if (!d.ok) {
    throw new WireError('stats: the sections could not be read');
  }
  const i = d.sections.findIndex(sec => sec.key === msg.section && sec.lazy);
  const sec = d.sections[i];
  const summary = sec?.summary;
  if (!sec || !summary || !Array.isArray(d.raw)) {
    throw new WireError(`stats: no lazy section ${JSON.stringify(String(msg.section)).slice(0, 40)}`);
  }
  const { stats: wire, statNames: names } = decodeStatsMessage(msg, buffers);
  if (names.length !== summary.statNames.length || !names.every((n, k) => n === summary.statNames[k])) {
    throw new WireError(`stats.stat_names must be ${JSON.stringify(summary.statNames)}`);
  }
  summary.stats = decodeStats(wire, 'stats.stats', sec.shape, summary.statNames);
  const raw = d.raw[i] as Record<string, unknown>;
  d.raw[i] = { ...raw, summary: { ...(raw.summary as Record<string, unknown>), stats: wire } };
  return sec.key;
}
